using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Nehr.Core.Data;

namespace Nehr.Portal.Components.Account;

internal sealed class IdentityRedirectManager(NavigationManager navigationManager)
{
    public const string StatusCookieName = "Identity.StatusMessage";

    private static readonly CookieBuilder StatusCookieBuilder = new()
    {
        SameSite = SameSiteMode.Strict,
        HttpOnly = true,
        IsEssential = true,
        MaxAge = TimeSpan.FromSeconds(5),
    };

    public void RedirectTo(string? uri)
    {
        navigationManager.NavigateTo(LocalOrHome(uri, navigationManager.BaseUri));
    }

    /// <summary>
    /// Where a redirect may go: a path of this portal, or an absolute address under its own base made relative; anything
    /// else (another host, "//host", "/\host", a scheme such as javascript:, text that is no address) goes home.
    /// Decided without exceptions, so a hostile return address is never a failure.
    /// </summary>
    internal static string LocalOrHome(string? uri, string baseUri)
    {
        if (string.IsNullOrWhiteSpace(uri) || uri.Any(char.IsControl) || uri.Contains('\\', StringComparison.Ordinal))
        {
            return "";
        }

        if (uri.StartsWith(baseUri, StringComparison.OrdinalIgnoreCase))
        {
            uri = "/" + uri[baseUri.Length..];
        }

        // A path of this portal: no scheme or host ("https:", "javascript:", "//host"), well formed.
        var local = !uri.StartsWith("//", StringComparison.Ordinal)
            && (uri.IndexOf(':', StringComparison.Ordinal) is var colon && (colon < 0 || uri.IndexOfAny(['/', '?', '#']) is var stop && stop >= 0 && stop < colon));
        return local && Uri.IsWellFormedUriString(uri, UriKind.Relative) ? uri : "";
    }

    public void RedirectTo(string uri, Dictionary<string, object?> queryParameters)
    {
        var uriWithoutQuery = navigationManager.ToAbsoluteUri(uri).GetLeftPart(UriPartial.Path);
        var newUri = navigationManager.GetUriWithQueryParameters(uriWithoutQuery, queryParameters);
        RedirectTo(newUri);
    }

    public void RedirectToWithStatus(string uri, string message, HttpContext context)
    {
        context.Response.Cookies.Append(StatusCookieName, message, StatusCookieBuilder.Build(context));
        RedirectTo(uri);
    }

    private string CurrentPath => navigationManager.ToAbsoluteUri(navigationManager.Uri).GetLeftPart(UriPartial.Path);

    public void RedirectToCurrentPage() => RedirectTo(CurrentPath);

    public void RedirectToCurrentPageWithStatus(string message, HttpContext context)
        => RedirectToWithStatus(CurrentPath, message, context);

    public void RedirectToInvalidUser(UserManager<ApplicationUser> userManager, HttpContext context)
        => RedirectToWithStatus("Account/InvalidUser", $"Error: Unable to load user with ID '{userManager.GetUserId(context.User)}'.", context);
}
