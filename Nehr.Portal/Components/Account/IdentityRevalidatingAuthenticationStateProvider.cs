using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Nehr.Core.Data;

namespace Nehr.Portal.Components.Account;

// This is a server-side AuthenticationStateProvider that revalidates the security stamp for the connected user
// while an interactive circuit is connected: every 30 seconds, or every Nehr:Security:RevalidateSeconds. A person
// deactivated, suspended or signed out elsewhere loses their open circuit within that time.
internal sealed class IdentityRevalidatingAuthenticationStateProvider(
        ILoggerFactory loggerFactory,
        IServiceScopeFactory scopeFactory,
        IOptions<IdentityOptions> options,
        IOptions<RevalidationOptions> revalidation)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    public const string Setting = "Nehr:Security:RevalidateSeconds";

    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(revalidation.Value.Seconds);

    protected override async Task<bool> ValidateAuthenticationStateAsync(
        AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        // Get the user manager from a new scope to ensure it fetches fresh data
        await using var scope = scopeFactory.CreateAsyncScope();
        var userManager = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        return await ValidateSecurityStampAsync(userManager, authenticationState.User);
    }

    private async Task<bool> ValidateSecurityStampAsync(UserManager<ApplicationUser> userManager, ClaimsPrincipal principal)
    {
        var user = await userManager.GetUserAsync(principal);
        if (user is null)
        {
            return false;
        }
        else if (!userManager.SupportsUserSecurityStamp)
        {
            return true;
        }
        else
        {
            var principalStamp = principal.FindFirstValue(options.Value.ClaimsIdentity.SecurityStampClaimType);
            var userStamp = await userManager.GetSecurityStampAsync(user);
            return principalStamp == userStamp;
        }
    }
}

/// <summary>How often an open circuit checks its person (<see cref="IdentityRevalidatingAuthenticationStateProvider.Setting"/>).</summary>
internal sealed class RevalidationOptions
{
    public int Seconds { get; set; } = 30;
}
