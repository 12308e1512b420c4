using Microsoft.EntityFrameworkCore;
using Nehr.Core.Data;

namespace Nehr.Core.Audit;

/// <summary>
/// Audit events of authentication (sign-in, failed sign-in, sign-out) and of requests the portal refused before any
/// service ran (a page or endpoint the caller's role does not open). Each is one event in its own transaction: there
/// is nothing else to record with it. Events that name no account go through <see cref="AnonymousEventGuard"/>: a
/// flood of them is counted, not written one by one.
/// </summary>
public sealed class SecurityEvents(IDbContextFactory<NehrDbContext> contexts, AuditTrail audit, AnonymousEventGuard anonymous)
{
    public Task SignedInAsync(AuditContext who, string method, CancellationToken cancellationToken = default) =>
        AppendAsync(who, AuditEventTypes.SignIn, AuditOutcome.Success, $"method={method}", cancellationToken);

    /// <summary>A failed sign-in. The account is named only when it exists (its id); the attempt's reason is kept.</summary>
    public Task SignInFailedAsync(AuditContext who, string reason, CancellationToken cancellationToken = default) =>
        AppendAsync(who, AuditEventTypes.SignInFailed, AuditOutcome.Denied, $"reason={reason}", cancellationToken);

    public Task SignedOutAsync(AuditContext who, CancellationToken cancellationToken = default) =>
        AppendAsync(who, AuditEventTypes.SignOut, AuditOutcome.Success, null, cancellationToken);

    /// <summary>A page or endpoint refused by its authorisation policy.</summary>
    public Task RefusedAsync(AuditContext who, string resource, string why, CancellationToken cancellationToken = default) =>
        AppendAsync(who, AuditEventTypes.ActionRefused, AuditOutcome.Denied, $"action=open {resource}; {why}", cancellationToken);

    private async Task AppendAsync(AuditContext who, string eventType, AuditOutcome outcome, string? details, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(who);
        if (who.UserId is null && !anonymous.Admit(eventType, who.ClientAddress))
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
        var actor = who.UserId is null
            ? null
            : await db.Users.AsNoTracking().Where(u => u.Id == who.UserId)
                .Select(u => new { u.PersonnelId, ProviderId = db.Personnel.Where(p => p.Id == u.PersonnelId).Select(p => (int?)p.ProviderId).FirstOrDefault() })
                .SingleOrDefaultAsync(cancellationToken);
        await audit.AppendAsync(db, new AuditEntry
        {
            EventType = eventType,
            CorrelationId = who.CorrelationId,
            ActorUserId = actor is null ? null : who.UserId,
            ActorPersonnelId = actor?.PersonnelId,
            ActorProviderId = actor?.ProviderId,
            ClientAddress = who.ClientAddress,
            Outcome = outcome,
            Details = details,
        }, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
