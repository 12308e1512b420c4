using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Nehr.Core.Data;

namespace Nehr.Portal.Hosting;

/// <summary>
/// The patient area's four languages: English, 简体中文, Bahasa Melayu and தமிழ். The choice is kept in a cookie (so it
/// holds before sign-in) and with the account (a user claim, so it follows the person to a new device); then the
/// browser's own languages; English otherwise. Formats of dates and numbers stay the portal's one format.
/// </summary>
public static class PortalLanguages
{
    public const string Path = "/language";

    /// <summary>The account's language, a user claim (kept with the account, read into the sign-in cookie).</summary>
    public const string Claim = Nehr.Core.PatientWords.LanguageClaim;

    public const string English = Nehr.Core.PatientWords.English;

    /// <summary>Each language's code and its name in itself.</summary>
    public static readonly IReadOnlyList<(string Code, string Name)> All =
        [(English, "English"), ("zh", "简体中文"), ("ms", "Bahasa Melayu"), ("ta", "தமிழ்")];

    /// <summary>The page's <c>lang</c>: the Chinese of the portal is written in simplified characters.</summary>
    public static string HtmlLang(string code) => code == "zh" ? "zh-Hans" : IsSupported(code) ? code : English;

    /// <summary>One of the four (the list Core writes notices and e-mails in).</summary>
    public static bool IsSupported(string? code) => code is not null && Nehr.Core.PatientWords.Languages.Contains(code);

    public static WebApplicationBuilder AddNehrLanguages(this WebApplicationBuilder builder)
    {
        builder.Services.AddLocalization(options => options.ResourcesPath = "Resources");
        builder.Services.Configure<RequestLocalizationOptions>(options =>
        {
            var cultures = All.Select(l => new CultureInfo(l.Code)).ToList();
            options.DefaultRequestCulture = new RequestCulture(English);
            options.SupportedCultures = cultures;
            options.SupportedUICultures = cultures;
            options.FallBackToParentUICultures = true;
            options.RequestCultureProviders =
            [
                new CookieRequestCultureProvider(),
                new CustomRequestCultureProvider(context => Task.FromResult(
                    context.User.FindFirstValue(Claim) is { } code && IsSupported(code) ? new ProviderCultureResult(code) : null)),
                new AcceptLanguageHeaderRequestCultureProvider(),
            ];
        });
        return builder;
    }

    /// <summary>
    /// Choosing a language: kept in the cookie, and with the account when someone is signed in. Only a path of this
    /// portal is followed back (never another site).
    /// </summary>
    public static IEndpointRouteBuilder MapNehrLanguages(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, async (HttpContext context, [FromForm] string? language, [FromForm] string? returnUrl, UserManager<ApplicationUser> users) =>
        {
            if (!IsSupported(language))
            {
                return Results.Problem($"Choose one of: {string.Join(", ", All.Select(l => l.Code))}.", statusCode: StatusCodes.Status400BadRequest);
            }

            context.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(language!)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), HttpOnly = true, IsEssential = true, SameSite = SameSiteMode.Lax, Secure = context.Request.IsHttps });
            if (context.User.Identity?.IsAuthenticated == true && await users.GetUserAsync(context.User) is { } account)
            {
                var kept = (await users.GetClaimsAsync(account)).Where(c => c.Type == Claim).ToList();
                if (kept.Count > 0)
                {
                    await users.RemoveClaimsAsync(account, kept);
                }

                await users.AddClaimAsync(account, new Claim(Claim, language!));
            }

            var back = returnUrl is { Length: > 0 } url && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
                ? url
                : "/";
            return Results.LocalRedirect(back);
        });
        return endpoints;
    }
}
