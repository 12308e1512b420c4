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

    /// <summary>Whether this session acts for someone else (a patient it represents): the pages then name whose record it is.</summary>
    public async Task<bool> IsActingForSomeoneAsync() => Security.AccountState.ActingFor(await PrincipalAsync()) is not null;

    public async Task<AuditContext> AuditContextAsync()
    {
        var principal = await PrincipalAsync();
        return new AuditContext(principal.FindFirstValue(ClaimTypes.NameIdentifier), ClientAddress, Guid.NewGuid().ToString("N"))
        {
            RepresentationId = Security.AccountState.ActingFor(principal),
        };
    }
}
