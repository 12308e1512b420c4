using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Identity;

namespace Nehr.Core.Administration;

/// <summary>
/// The signed-in member of staff behind an administrative action, read from current data (roles, active state,
/// lockout and provider), never from the claims of their cookie.
/// </summary>
internal sealed record StaffActor(string UserId, string Email, IReadOnlySet<string> Roles, Personnel? Person, Provider? Provider)
{
    public int ProviderId => Provider?.Id ?? throw new InvalidOperationException("This actor has no provider.");

    /// <summary>
    /// Loads the actor and checks they hold <paramref name="role"/>; a provider administrator must also be active
    /// staff of a provider. A refusal is audited and committed, then thrown.
    /// </summary>
    public static async Task<StaffActor> RequireAsync(
        NehrDbContext db, AuditTrail audit, AuditContext who, string role, string action, DateTime now, CancellationToken cancellationToken)
    {
        var actor = await LoadAsync(db, who.UserId, now, cancellationToken);
        var allowed = actor is not null && actor.Roles.Contains(role)
            && (role != Identity.Roles.ProviderAdmin || actor.Person is { IsActive: true } && actor.Provider is not null);
        if (!allowed)
        {
            await RefuseAsync(db, audit, who, actor, action, $"requires {role}", cancellationToken);
        }

        return actor!;
    }

    /// <summary>Audits the refusal of an action, commits that alone, and throws.</summary>
    public static async Task RefuseAsync(
        NehrDbContext db, AuditTrail audit, AuditContext who, StaffActor? actor, string action, string why, CancellationToken cancellationToken,
        string? message = null, int? patientId = null)
    {
        db.ChangeTracker.Clear();
        await audit.AppendAsync(db, new AuditEntry
        {
            EventType = AuditEventTypes.ActionRefused,
            CorrelationId = who.CorrelationId,
            ActorUserId = who.UserId,
            ActorPersonnelId = actor?.Person?.Id,
            ActorProviderId = actor?.Provider?.Id,
            ActorRole = actor?.RoleText,
            ClientAddress = who.ClientAddress,
            PatientId = patientId,
            Outcome = AuditOutcome.Denied,
            Details = string.Create(CultureInfo.InvariantCulture, $"action={action}; {why}"),
        }, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await db.Database.CommitTransactionAsync(cancellationToken);
        throw new AccessRefusedException(message ?? "You are not allowed to do this.");
    }

    public string RoleText => Person is { } p ? p.Role.ToString() : string.Join('+', Roles.Order(StringComparer.Ordinal));

    /// <summary>The audit entry of an action by this actor.</summary>
    public AuditEntry Entry(string eventType, AuditContext who, string details, int? patientId = null) => new()
    {
        EventType = eventType,
        CorrelationId = who.CorrelationId,
        ActorUserId = UserId,
        ActorPersonnelId = Person?.Id,
        ActorProviderId = Provider?.Id,
        ActorRole = RoleText,
        ClientAddress = who.ClientAddress,
        PatientId = patientId,
        Details = details,
    };

    /// <summary>
    /// What a list shared by MOH and provider administrators may show: null for MOH (everything), the provider's id
    /// for one of its active administrators; anyone else is refused (audited) and this throws.
    /// </summary>
    public static async Task<int?> ProviderScopeAsync(
        NehrDbContext db, AuditTrail audit, AuditContext? who, string action, DateTime now, CancellationToken cancellationToken)
    {
        var actor = await LoadAsync(db, who?.UserId, now, cancellationToken);
        if (actor is not null && actor.Roles.Contains(Identity.Roles.ProviderAdmin) && actor.Person is { IsActive: true } && actor.Provider is not null)
        {
            return actor.ProviderId;
        }

        if (actor is null || !(actor.Roles.Contains(Identity.Roles.MohAdmin) || actor.Roles.Contains(Identity.Roles.MohAuditor)))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await RefuseAsync(db, audit, who ?? throw new ArgumentNullException(nameof(who)), actor, action,
                "requires MOH or provider administration", cancellationToken);
        }

        return null;
    }

    public static Task<StaffActor?> LoadOrNullAsync(NehrDbContext db, string? userId, DateTime now, CancellationToken cancellationToken) =>
        LoadAsync(db, userId, now, cancellationToken);

    private static async Task<StaffActor?> LoadAsync(NehrDbContext db, string? userId, DateTime now, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking()
            .Where(u => userId != null && u.Id == userId)
            .Select(u => new { u.Id, u.Email, u.LockoutEnd, u.PersonnelId })
            .SingleOrDefaultAsync(cancellationToken);
        if (user is null || user.LockoutEnd is { } end && end > now)
        {
            return null;
        }

        var roles = await db.UserRoles.Where(r => r.UserId == user.Id)
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name!)
            .ToListAsync(cancellationToken);
        var person = user.PersonnelId is { } personnelId
            ? await db.Personnel.AsNoTracking().SingleOrDefaultAsync(p => p.Id == personnelId, cancellationToken)
            : null;
        var provider = person is null
            ? null
            : await db.Providers.AsNoTracking().SingleOrDefaultAsync(p => p.Id == person.ProviderId, cancellationToken);
        return new StaffActor(user.Id, user.Email ?? user.Id, roles.ToHashSet(StringComparer.Ordinal), person, provider);
    }
}
