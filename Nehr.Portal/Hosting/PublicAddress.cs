namespace Nehr.Portal.Hosting;

/// <summary>
/// The portal's public address, for links that leave it (the password reset e-mail). From
/// <c>Nehr:PublicUrl</c> when set (required in Production); otherwise, in
/// development, the address of the request. Never from a request in Production: its Host header is the caller's to
/// choose, and a reset link to another host would hand that host the code.
/// </summary>
internal sealed class PublicAddress(IConfiguration configuration)
{
    public const string Setting = "Nehr:PublicUrl";

    public Uri Of(HttpContext context, string relativePath)
    {
        ArgumentNullException.ThrowIfNull(context);
        var configured = configuration[Setting];
        var root = string.IsNullOrWhiteSpace(configured)
            ? new Uri($"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/")
            : new Uri(configured.TrimEnd('/') + "/");
        return new Uri(root, relativePath);
    }
}
