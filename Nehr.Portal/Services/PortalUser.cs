using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Nehr.Core.Audit;

namespace Nehr.Portal.Services;

/// <summary>
/// The signed-in person of this circuit and the address they connect from, as the "who" and "where" of audit
/// events. The address is taken from the HTTP request that started the circuit (passed to the root component,
/// whose parameters the server protects), because interactive events have no HttpContext.
/// </summary>
public sealed class PortalUser(AuthenticationStateProvider authentication)
{
    public string? ClientAddress { get; set; }

    public async Task<ClaimsPrincipal> PrincipalAsync() => (await authentication.GetAuthenticationStateAsync()).User;

    public async Task<AuditContext> AuditContextAsync()
    {
        var userId = (await PrincipalAsync()).FindFirstValue(ClaimTypes.NameIdentifier);
        return new AuditContext(userId, ClientAddress, Guid.NewGuid().ToString("N"));
    }
}
