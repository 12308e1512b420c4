using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Nehr.Portal.Hosting.NationalIdentity;

/// <summary>
/// The national identity provider's issuer: the configured one; or, with the development provider and no issuer
/// configured, the stand-in's on the portal's own address (read from the server once it listens, so a portal started
/// on any port, port 0 included, signs in against itself).
/// </summary>
internal sealed class NationalIdentityIssuer(IOptions<NationalIdentityOptions> options, IServer server)
{
    private string? _value;

    public string Value => _value ??= Resolve();

    private string Resolve()
    {
        var configured = options.Value.Issuer.TrimEnd('/');
        if (configured.Length > 0)
        {
            return configured;
        }

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses
            .Select(a => a.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
                .Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal).Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal))
            .FirstOrDefault(a => a.StartsWith("http", StringComparison.Ordinal))
            ?? throw new InvalidOperationException(
                $"{NationalIdentityOptions.Section}:Issuer is not set and the server has no address yet to host the development provider on.");
        return address.TrimEnd('/') + DevelopmentIdentityProvider.BasePath;
    }
}
