using System.Security.Cryptography;

namespace Nehr.Portal.Hosting;

/// <summary>
/// Security headers on every response: a Content-Security-Policy without 'unsafe-eval' (scripts only from the portal
/// itself, plus the import map with this response's nonce; MudBlazor's inline styles need 'unsafe-inline' for styles
/// only), no framing, no MIME sniffing, no referrer, and no caching of anything but the fingerprinted static assets.
/// </summary>
internal static class SecurityHeaders
{
    public const string NonceKey = "csp-nonce";

    public static string Nonce(HttpContext context) => context.Items[NonceKey] as string ?? string.Empty;

    public static IApplicationBuilder UseNehrSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        context.Items[NonceKey] = nonce;
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy =
                $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
                "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";

            // Pages, APIs and downloads carry health data: never cached. Static assets set their own caching.
            if (!headers.ContainsKey("Cache-Control"))
            {
                headers.CacheControl = "no-store";
                headers.Pragma = "no-cache";
            }

            return Task.CompletedTask;
        });
        await next();
    });
}
