using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Identity;

namespace Nehr.Core.Contribution;

public sealed record SystemRow(
    int Id, int ProviderId, string ProviderName, string Name, SystemKind Kind, ConnectionState State, DateTime AppliedAtUtc,
    DateTime? ConnectivityTestPassedAtUtc, SecurityItem SecurityItems, bool ChecklistComplete, DateTime? ApprovedAtUtc, string? ClientId)
{
    public bool ReadyForApproval => State == ConnectionState.Applied && ConnectivityTestPassedAtUtc is not null && ChecklistComplete;
}

/// <summary>An application with the key for its connectivity test (shown once).</summary>
public sealed record SystemApplication(SystemRow System, string ConnectivityKey);

/// <summary>The credentials issued at approval: the secret is shown once and only its hash is kept.</summary>
public sealed record IssuedCredentials(int SystemId, string ClientId, string ClientSecret);

/// <summary>
/// Connecting a provider's system: the provider administrator applies and gets a one-time key; the system proves
/// it can reach the NEHR with a test call using that key; MOH confirms the security checklist and approves, which
/// issues client credentials; MOH can suspend, reinstate and revoke. Every step is audited with it.
/// </summary>
public sealed class SystemOnboarding(Commands.Commands commands, TimeProvider clock)
{
    private static readonly string[] Admin = [Roles.ProviderAdmin];
    private static readonly string[] Moh = [Roles.MohAdmin];
    private static readonly string[] Overseers = [Roles.ProviderAdmin, Roles.MohAdmin, Roles.MohAuditor];

    public const string KeyPrefix = "nehr-ct-";

    public async Task<SystemApplication> ApplyAsync(AuditContext who, string? name, CancellationToken cancellationToken = default)
    {
        var trimmed = (name ?? string.Empty).Trim();
        if (trimmed.Length is 0 or > SystemConnection.MaxNameLength)
        {
            throw new DomainException($"Name the system (1 to {SystemConnection.MaxNameLength} characters), e.g. \"Outpatient EMR\".");
        }

        return await commands.RunAsync<SystemApplication>(who, "system.apply", Admin, async command =>
        {
            var (db, actor) = (command.Db, command.Actor);
            await command.ClaimAsync(DataClaim.Named(string.Create(CultureInfo.InvariantCulture, $"systems:{actor.ProviderId}")), cancellationToken);
            if (await db.SystemConnections.AnyAsync(s => s.ProviderId == actor.ProviderId && s.Name == trimmed && s.State != ConnectionState.Revoked, cancellationToken))
            {
                throw new DomainException($"Your provider already has a system called \"{trimmed}\".");
            }

            // The keeper of the population register connects the register's feed; every other organisation, a provider feed.
            var kind = actor.Provider?.Type == ProviderType.PopulationRegister ? SystemKind.PopulationRegister : SystemKind.ProviderFeed;
            var system = new SystemConnection(actor.ProviderId, trimmed, actor.UserId, command.Now, kind);
            db.SystemConnections.Add(system);
            await db.SaveChangesAsync(cancellationToken);
            var key = NewKey(system);
            await command.AuditAsync(actor.Entry(AuditEventTypes.SystemApplied, who,
                string.Create(CultureInfo.InvariantCulture, $"system={system.Id}; name={system.Name}")) with { SystemId = system.Id }, cancellationToken);
            return new SystemApplication(Row(system, actor.ProviderName), key);
        }, cancellationToken);
    }

    /// <summary>A new connectivity key for an open application of the administrator's own provider (the old one stops working).</summary>
    public Task<string> NewConnectivityKeyAsync(AuditContext who, int systemId, CancellationToken cancellationToken = default) =>
        commands.RunAsync<string>(who, "system.connectivity-key", Admin, async command =>
        {
            var (db, actor) = (command.Db, command.Actor);
            await command.ClaimAsync(DataClaim.System(systemId), cancellationToken);
            var system = await db.SystemConnections.SingleOrDefaultAsync(s => s.Id == systemId, cancellationToken);
            if (system is null || system.ProviderId != actor.ProviderId)
            {
                throw command.Refuse(string.Create(CultureInfo.InvariantCulture, $"system={systemId} is not of provider {actor.ProviderId}"), "This system is not one of your provider's.");
            }

            var key = NewKey(system);
            await command.AuditAsync(actor.Entry(AuditEventTypes.SystemConnectivityKeyIssued, who,
                string.Create(CultureInfo.InvariantCulture, $"system={system.Id}")) with { SystemId = system.Id }, cancellationToken);
            return key;
        }, cancellationToken);

    /// <summary>The system's test call: a valid key of an open application marks its connectivity test as passed.</summary>
    public Task<bool> ConnectivityTestAsync(string? key, string? clientAddress, string correlationId, CancellationToken cancellationToken = default) =>
        // The caller proves who it is with the key itself: the command decides on it.
        commands.RunAsync(new AuditContext(null, clientAddress, correlationId), async command =>
        {
            // A connectivity key works once, however many use it at the same moment.
            var known = TrySystemId(key, out var id);
            if (known)
            {
                await command.ClaimAsync(DataClaim.System(id), cancellationToken);
            }

            var system = known
                ? await command.Db.SystemConnections.SingleOrDefaultAsync(s => s.Id == id, cancellationToken)
                : null;
            var passed = false;
            if (system is { State: ConnectionState.Applied } open && ClientSecrets.Verify(key, open.ConnectivityKeyHash))
            {
                open.RecordConnectivityTestPassed(command.Now);
                passed = true;
            }

            await command.AuditAsync(new AuditEntry
            {
                EventType = AuditEventTypes.SystemConnectivityTested,
                CorrelationId = correlationId,
                SystemId = system?.Id,
                ActorProviderId = system?.ProviderId,
                ClientAddress = clientAddress,
                Outcome = passed ? AuditOutcome.Success : AuditOutcome.Denied,
                Details = passed ? "connectivity test passed" : "connectivity test refused: unknown, used or wrong key, or application not open",
            }, cancellationToken);
            return passed;
        }, cancellationToken);

    /// <summary>Every system (MOH) or the provider administrator's own provider's systems.</summary>
    public Task<IReadOnlyList<SystemRow>> SystemsAsync(AuditContext who, CancellationToken cancellationToken = default) =>
        commands.ReadAsync<IReadOnlyList<SystemRow>>(who, "system.list", Overseers, async command =>
        {
            var (db, actor) = (command.Db, command.Actor);
            var onlyProvider = actor.ProviderScope;

            var systems = await db.SystemConnections.AsNoTracking()
                .Where(s => onlyProvider == null || s.ProviderId == onlyProvider)
                .Join(db.Providers, s => s.ProviderId, p => p.Id, (s, p) => new { s, p.Name })
                .ToListAsync(cancellationToken);
            return systems.Select(x => Row(x.s, x.Name))
                .OrderBy(r => r.State).ThenByDescending(r => r.AppliedAtUtc).ToList();
        }, cancellationToken);

    public Task SetSecurityItemsAsync(AuditContext who, int systemId, SecurityItem items, CancellationToken cancellationToken = default) =>
        MohStepAsync(who, systemId, "system.checklist", AuditEventTypes.SystemChecklistChanged,
            (s, actor, now) => s.SetSecurityItems(items, now), s => $"items={s.SecurityItems}", cancellationToken);

    /// <summary>Approves a ready application: issues the client credentials and onboards the provider.</summary>
    public async Task<IssuedCredentials> ApproveAsync(AuditContext who, int systemId, CancellationToken cancellationToken = default)
    {
        var secret = ClientSecrets.NewSecret();
        string? clientId = null;
        await MohStepAsync(who, systemId, "system.approve", AuditEventTypes.SystemApproved, (s, actor, now) =>
        {
            clientId = string.Create(CultureInfo.InvariantCulture, $"nehr-system-{s.Id}");
            s.Approve(clientId, ClientSecrets.Hash(secret), actor.UserId, now);
        }, s => $"client={s.ClientId}", cancellationToken, onboardProvider: true);
        return new IssuedCredentials(systemId, clientId!, secret);
    }

    public Task SuspendAsync(AuditContext who, int systemId, CancellationToken cancellationToken = default) =>
        MohStepAsync(who, systemId, "system.suspend", AuditEventTypes.SystemSuspended, (s, actor, now) => s.Suspend(actor.UserId, now), _ => "suspended", cancellationToken);

    public Task ReinstateAsync(AuditContext who, int systemId, CancellationToken cancellationToken = default) =>
        MohStepAsync(who, systemId, "system.reinstate", AuditEventTypes.SystemReinstated, (s, actor, now) => s.Reinstate(actor.UserId, now), _ => "reinstated", cancellationToken);

    public Task RevokeAsync(AuditContext who, int systemId, CancellationToken cancellationToken = default) =>
        MohStepAsync(who, systemId, "system.revoke", AuditEventTypes.SystemRevoked, (s, actor, now) => s.Revoke(actor.UserId, now), _ => "revoked", cancellationToken);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private Task MohStepAsync(
        AuditContext who, int systemId, string action, string eventType, Action<SystemConnection, StaffActor, DateTime> step,
        Func<SystemConnection, string> details, CancellationToken cancellationToken, bool onboardProvider = false) =>
        commands.RunAsync(who, action, Moh, async command =>
        {
            var (db, actor, now) = (command.Db, command.Actor, command.Now);
            // One step of the connection's state at a time; its requests under way finish first (they share the claim).
            // An approval onboards the provider too: both are claimed in one statement, in key order (the provider
            // first, as its administrators' commands hold it shared before they claim their system).
            var providerId = await db.SystemConnections.Where(s => s.Id == systemId).Select(s => (int?)s.ProviderId).SingleOrDefaultAsync(cancellationToken)
                ?? throw new DomainException("There is no such system.");
            await command.ClaimAsync(onboardProvider ? [DataClaim.System(systemId), DataClaim.Provider(providerId)] : [DataClaim.System(systemId)], cancellationToken);
            var system = await db.SystemConnections.SingleAsync(s => s.Id == systemId, cancellationToken);

            step(system, actor, now);
            var onboarded = string.Empty;
            // Approval onboards a provider for reading the NEHR; the population register's keeper reads nothing.
            if (onboardProvider && system.Kind == SystemKind.ProviderFeed)
            {
                var provider = await db.Providers.SingleAsync(p => p.Id == system.ProviderId, cancellationToken);
                if (provider.OnboardingState != OnboardingState.Onboarded)
                {
                    provider.Onboard(now);
                    onboarded = "; provider onboarded";
                }
            }

            await command.AuditAsync(actor.Entry(eventType, who,
                string.Create(CultureInfo.InvariantCulture, $"system={system.Id}; provider={system.ProviderId}; {details(system)}{onboarded}")) with { SystemId = system.Id }, cancellationToken);
        }, cancellationToken);

    private static string NewKey(SystemConnection system)
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"{KeyPrefix}{system.Id}-{ClientSecrets.NewSecret()}");
        system.SetConnectivityKey(ClientSecrets.Hash(key));
        return key;
    }

    private static bool TrySystemId(string? key, out int id)
    {
        id = 0;
        if (key is null || !key.StartsWith(KeyPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = key[KeyPrefix.Length..];
        var dash = rest.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && int.TryParse(rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out id);
    }

    private static SystemRow Row(SystemConnection s, string providerName) => new(
        s.Id, s.ProviderId, providerName, s.Name, s.Kind, s.State, s.AppliedAtUtc, s.ConnectivityTestPassedAtUtc,
        s.SecurityItems, s.SecurityChecklistCompletedAtUtc is not null, s.ApprovedAtUtc, s.ClientId);
}
