using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Nehr.Portal.Hosting;

/// <summary>
/// Behind a load balancer the connection comes from the balancer: the client's own address (for the audit trail and
/// the per-address sign-in limit) and the original scheme are in its X-Forwarded-For / X-Forwarded-Proto headers.
/// They are believed only from the addresses listed in <c>Nehr:Hosting:TrustedProxies</c>; by default from none
/// (not even loopback), so nobody can put another address into the audit trail by sending the header.
/// </summary>
internal static class TrustedProxies
{
    public const string Section = "Nehr:Hosting:TrustedProxies";

    public static WebApplicationBuilder AddNehrTrustedProxies(this WebApplicationBuilder builder)
    {
        // Read when the options are first made (at start-up), once every configuration source is in place.
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var text in configuration.GetSection(Section).Get<string[]>() ?? [])
            {
                options.KnownProxies.Add(IPAddress.TryParse(text, out var address)
                    ? address
                    : throw new InvalidOperationException($"{Section} lists '{text}', which is not an IP address."));
            }
        }).ValidateOnStart();
        return builder;
    }
}
