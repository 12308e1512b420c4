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

    public string ProviderName => Provider?.Name ?? throw new InvalidOperationException("This actor has no provider.");

    /// <summary>
    /// Loads the actor and checks they hold one of <paramref name="roles"/>; as a provider administrator they must
    /// also be active staff of a provider. Anyone else is refused: the command pipeline audits the refusal.
    /// </summary>
    public static async Task<StaffActor> RequireAsync(
        NehrDbContext db, AuditContext who, string action, DateTime now, IReadOnlyCollection<string> roles, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(who);
        var actor = await LoadAsync(db, who.UserId, now, cancellationToken);
        return actor is not null && roles.Any(actor.Holds)
            ? actor
            : throw new Commands.CommandRefusal(RefusalEntry(who, actor, action, $"requires {string.Join(" or ", roles)}"), DefaultRefusal);
    }

    /// <summary>
    /// In a write transaction on PostgreSQL, shares the claims on a member of staff's standing (their staff record, their
    /// provider), so that a change of it (a deactivation, a role, a suspension) waits for this transaction and this one
    /// for a change under way; what the standing is read from after this is current. The ids claimed never change (an
    /// account's staff record, a staff record's provider). An account with no staff record (MOH) has roles that are
    /// set once, when it is made.
    /// </summary>
    public static async Task ShareStandingAsync(NehrDbContext db, string? userId, CancellationToken cancellationToken)
    {
        if (userId is null || !db.Database.IsNpgsql())
        {
            return;
        }

        var ids = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.PersonnelId, ProviderId = db.Personnel.Where(p => p.Id == u.PersonnelId).Select(p => (int?)p.ProviderId).FirstOrDefault() })
            .SingleOrDefaultAsync(cancellationToken);
        List<DataClaim> claims = [];
        if (ids?.PersonnelId is { } personnelId)
        {
            claims.Add(DataClaim.Staff(personnelId));
        }

        if (ids?.ProviderId is { } providerId)
        {
            claims.Add(DataClaim.Provider(providerId));
        }

        await db.ShareAsync(claims, cancellationToken);
    }

    /// <summary>What a refused person is told unless the command says more.</summary>
    public const string DefaultRefusal = "You are not allowed to do this.";

    /// <summary>
    /// What a list shared by MOH and provider administrators may show: null for MOH (everything), the provider's id
    /// for one of its administrators.
    /// </summary>
    public int? ProviderScope => Holds(Identity.Roles.ProviderAdmin) ? ProviderId : null;

    /// <summary>The audit entry of a refused action (<paramref name="actor"/> null when the caller is no known member of staff).</summary>
    public static AuditEntry RefusalEntry(AuditContext who, StaffActor? actor, string action, string why, int? patientId = null) => new()
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
    };

    /// <summary>Holds the role now; a provider administrator only while active staff of a provider.</summary>
    private bool Holds(string role) =>
        Roles.Contains(role) && (role != Identity.Roles.ProviderAdmin || Person is { IsActive: true } && Provider is not null);

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
