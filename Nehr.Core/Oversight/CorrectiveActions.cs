using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Identity;

namespace Nehr.Core.Oversight;

/// <summary>A person found by an MOH administrator, with what the decision would need to know.</summary>
public sealed record PersonSearchRow(int PersonnelId, string Name, string? Email, ProfessionalRole Role, string ProviderName, bool IsActive, bool Suspended);

public sealed record ProviderRow(int Id, string Code, string Name, ProviderType Type, OnboardingState Onboarding, bool Suspended);

public sealed record DirectiveRow(
    long Id, int ProviderId, string ProviderName, DirectiveKind Kind, string Instructions, DateTime IssuedAtUtc, DateTime DeadlineUtc,
    DirectiveStatus Status, bool Overdue, DateTime? AcknowledgedAtUtc, string? Attestation, DateTime? AttestedAtUtc);

/// <summary>
/// What suspending a whole provider would stop, said before it is done: its active staff (and how many of them have
/// NEHR access now) and the patients currently registered with it.
/// </summary>
public sealed record SuspensionImpact(int ProviderId, string ProviderName, int ActiveStaff, int StaffWithNehrAccess, int RegisteredPatients);

/// <summary>
/// MOH corrective actions: suspending a person's or a provider's NEHR access (effective on their next action, as the
/// gate decides from current data) and directives to providers, which the provider's administrators acknowledge and
/// attest as done. Every step is audited with it.
/// </summary>
public sealed class CorrectiveActions(Commands.Commands commands)
{
    public const int MaxResults = 50;

    public async Task<IReadOnlyList<PersonSearchRow>> FindPeopleAsync(AuditContext who, string? text, CancellationToken cancellationToken = default)
    {
        var term = (text ?? string.Empty).Trim();
        if (term.Length < 2)
        {
            throw new DomainException("Type at least 2 characters of a name or an e-mail address.");
        }

        return await commands.ReadAsync<IReadOnlyList<PersonSearchRow>>(who, "suspension.find-people", Moh, async command =>
        {
            var db = command.Db;
            var pattern = TextSearch.ContainsPattern(term);
            var rows = await (
                    from person in db.Personnel.AsNoTracking()
                    join provider in db.Providers on person.ProviderId equals provider.Id
                    join user in db.Users on (int?)person.Id equals user.PersonnelId into users
                    from user in users.DefaultIfEmpty()
                    where EF.Functions.Like(person.Name.ToUpper(), pattern, TextSearch.Escape) || (user != null && EF.Functions.Like(user.NormalizedEmail!, pattern, TextSearch.Escape))
                    orderby person.Name
                    select new PersonSearchRow(person.Id, person.Name, user == null ? null : user.Email, person.Role, provider.Name, person.IsActive, person.NehrAccessSuspended))
                .Take(MaxResults).ToListAsync(cancellationToken);
            return rows;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<ProviderRow>> ProvidersAsync(AuditContext who, CancellationToken cancellationToken = default) =>
        commands.ReadAsync<IReadOnlyList<ProviderRow>>(who, "providers.list", Overseers, async command =>
        {
            var db = command.Db;
            var providers = await db.Providers.AsNoTracking().ToListAsync(cancellationToken);
            return providers.OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase)
                .Select(p => new ProviderRow(p.Id, p.Code.Value, p.Name, p.Type, p.OnboardingState, p.NehrAccessSuspended)).ToList();
        }, cancellationToken);

    /// <summary>Suspends (or lifts the suspension of) a person's NEHR access. Effective on their next action.</summary>
    public async Task SetPersonSuspendedAsync(AuditContext who, int personnelId, bool suspended, string? reason, CancellationToken cancellationToken = default)
    {
        var why = Reason(reason);
        await commands.RunAsync(who, suspended ? "suspension.person" : "suspension.person-lift", Moh, async command =>
        {
            var (db, actor) = (command.Db, command.Actor);
            await command.ClaimAsync(DataClaim.Staff(personnelId), cancellationToken);
            var person = await db.Personnel.SingleOrDefaultAsync(p => p.Id == personnelId, cancellationToken)
                ?? throw new DomainException("There is no such person.");
            if (person.NehrAccessSuspended == suspended)
            {
                throw new DomainException(suspended ? $"{person.Name}'s NEHR access is already suspended." : $"{person.Name}'s NEHR access is not suspended.");
            }

            if (suspended)
            {
                person.SuspendNehrAccess();
            }
            else
            {
                person.LiftNehrAccessSuspension();
            }

            await command.AuditAsync(actor.Entry(
                suspended ? AuditEventTypes.PersonSuspended : AuditEventTypes.PersonSuspensionLifted, who,
                string.Create(CultureInfo.InvariantCulture, $"personnel={person.Id}; provider={person.ProviderId}; reason={why}")), cancellationToken);
        }, cancellationToken);
    }

    /// <summary>What suspending a provider would stop: its active staff and its registered patients, now.</summary>
    public Task<SuspensionImpact> ProviderImpactAsync(AuditContext who, int providerId, CancellationToken cancellationToken = default) =>
        commands.ReadAsync(who, "suspension.provider-impact", Moh, async command =>
        {
            var (db, now) = (command.Db, command.Now);
            var provider = await db.Providers.AsNoTracking().Where(p => p.Id == providerId).Select(p => new { p.Id, p.Name }).SingleOrDefaultAsync(cancellationToken)
                ?? throw new DomainException("There is no such provider.");
            var staff = db.Personnel.AsNoTracking().Where(p => p.ProviderId == providerId && p.IsActive);
            return new SuspensionImpact(
                provider.Id, provider.Name,
                await staff.CountAsync(cancellationToken),
                await staff.CountAsync(p => p.InvolvedInCare && !p.NehrAccessSuspended, cancellationToken),
                await db.CareRegistrations.AsNoTracking().CurrentAt(now).Where(r => r.ProviderId == providerId)
                    .Select(r => r.PatientId).Distinct().CountAsync(cancellationToken));
        }, cancellationToken);

    /// <summary>
    /// Suspends (or lifts the suspension of) a whole provider's NEHR access. Effective on every next action. A
    /// suspension stops every member of its staff at once, so it is confirmed with the provider's name.
    /// </summary>
    public async Task SetProviderSuspendedAsync(
        AuditContext who, int providerId, bool suspended, string? reason, string? confirmedName = null, CancellationToken cancellationToken = default)
    {
        var why = Reason(reason);
        await commands.RunAsync(who, suspended ? "suspension.provider" : "suspension.provider-lift", Moh, async command =>
        {
            var (db, actor) = (command.Db, command.Actor);
            await command.ClaimAsync(DataClaim.Provider(providerId), cancellationToken);
            var provider = await db.Providers.SingleOrDefaultAsync(p => p.Id == providerId, cancellationToken)
                ?? throw new DomainException("There is no such provider.");
            if (provider.NehrAccessSuspended == suspended)
            {
                throw new DomainException(suspended ? $"{provider.Name}'s NEHR access is already suspended." : $"{provider.Name}'s NEHR access is not suspended.");
            }

            if (suspended && !NameConfirms(confirmedName, provider.Name))
            {
                throw new DomainException($"Type the provider's name, {provider.Name}, to confirm the suspension.");
            }

            if (suspended)
            {
                provider.SuspendNehrAccess();
            }
            else
            {
                provider.LiftNehrAccessSuspension();
            }

            await command.AuditAsync(actor.Entry(
                suspended ? AuditEventTypes.ProviderSuspended : AuditEventTypes.ProviderSuspensionLifted, who,
                string.Create(CultureInfo.InvariantCulture, $"provider={provider.Id}; reason={why}")), cancellationToken);
        }, cancellationToken);
    }

    /// <summary>The name typed to confirm a suspension is the provider's (spaces around it and letter case aside).</summary>
    public static bool NameConfirms(string? typed, string providerName) =>
        string.Equals((typed ?? string.Empty).Trim(), providerName.Trim(), StringComparison.OrdinalIgnoreCase);

    public async Task<DirectiveRow> IssueDirectiveAsync(
        AuditContext who, int? providerId, DirectiveKind? kind, string? instructions, DateOnly? deadline, CancellationToken cancellationToken = default)
    {
        if (providerId is null)
        {
            throw new DomainException("Choose the provider the directive is addressed to.");
        }

        if (kind is null)
        {
            throw new DomainException("Choose what the directive orders.");
        }

        if (deadline is null)
        {
            throw new DomainException("Set a deadline.");
        }

        return await commands.RunAsync<DirectiveRow>(who, "directive.issue", Moh, async command =>
        {
            var (db, actor) = (command.Db, command.Actor);
            var provider = await db.Providers.AsNoTracking().SingleOrDefaultAsync(p => p.Id == providerId, cancellationToken)
                ?? throw new DomainException("There is no such provider.");
            var now = command.Now;

            // The deadline is the end of the chosen day as people in Singapore count it (its last microsecond, which
            // every database keeps exactly).
            var deadlineUtc = NehrCalendar.EndOfDayUtc(deadline.Value).AddTicks(-10);
            var directive = new Directive(provider.Id, kind.Value, instructions, deadlineUtc, actor.UserId, now);
            db.Directives.Add(directive);
            await db.SaveChangesAsync(cancellationToken);
            await command.AuditAsync(actor.Entry(AuditEventTypes.DirectiveIssued, who, string.Create(CultureInfo.InvariantCulture,
                $"directive={directive.Id}; provider={provider.Id}; kind={directive.Kind}; deadline={directive.DeadlineUtc:O}")), cancellationToken);
            return Row(directive, provider.Name, now);
        }, cancellationToken);
    }

    /// <summary>Every directive (MOH) or the administrator's own provider's directives, open ones first.</summary>
    public Task<IReadOnlyList<DirectiveRow>> DirectivesAsync(AuditContext who, CancellationToken cancellationToken = default) =>
        commands.ReadAsync<IReadOnlyList<DirectiveRow>>(who, "directive.list", Everyone, async command =>
        {
            var (db, actor, now) = (command.Db, command.Actor, command.Now);
            var onlyProvider = actor.ProviderScope;

            var directives = await db.Directives.AsNoTracking()
                .Where(d => onlyProvider == null || d.ProviderId == onlyProvider)
                .Join(db.Providers, d => d.ProviderId, p => p.Id, (d, p) => new { d, p.Name })
                .ToListAsync(cancellationToken);
            return directives.Select(x => Row(x.d, x.Name, now))
                .OrderBy(r => r.Status == DirectiveStatus.Done).ThenBy(r => r.DeadlineUtc).ToList();
        }, cancellationToken);

    /// <summary>The provider administrator acknowledges a directive to their own provider.</summary>
    public Task AcknowledgeAsync(AuditContext who, long directiveId, CancellationToken cancellationToken = default) =>
        ProviderStepAsync(who, directiveId, "directive.acknowledge", AuditEventTypes.DirectiveAcknowledged,
            (d, actor, now) => d.Acknowledge(actor.UserId, now), cancellationToken);

    /// <summary>The provider administrator attests that a directive to their own provider is done.</summary>
    public Task AttestDoneAsync(AuditContext who, long directiveId, string? attestation, CancellationToken cancellationToken = default) =>
        ProviderStepAsync(who, directiveId, "directive.attest", AuditEventTypes.DirectiveAttested,
            (d, actor, now) => d.AttestDone(attestation, actor.UserId, now), cancellationToken);

    private Task ProviderStepAsync(
        AuditContext who, long directiveId, string action, string eventType, Action<Directive, StaffActor, DateTime> step, CancellationToken cancellationToken) =>
        commands.RunAsync(who, action, Admin, async command =>
        {
            var (db, actor, now) = (command.Db, command.Actor, command.Now);
            // A directive moves one step at a time: Issued, Acknowledged, Done, never back.
            await command.ClaimAsync(DataClaim.Named(string.Create(CultureInfo.InvariantCulture, $"directive:{directiveId}")), cancellationToken);
            var directive = await db.Directives.SingleOrDefaultAsync(d => d.Id == directiveId, cancellationToken);
            if (directive is null || directive.ProviderId != actor.ProviderId)
            {
                throw command.Refuse(string.Create(CultureInfo.InvariantCulture, $"directive={directiveId} is not addressed to provider {actor.ProviderId}"), "This directive is not addressed to your provider.");
            }

            step(directive, actor, now);
            await command.AuditAsync(actor.Entry(eventType, who, string.Create(CultureInfo.InvariantCulture,
                $"directive={directive.Id}; status={directive.Status}; overdue={directive.IsOverdueAt(now)}")), cancellationToken);
        }, cancellationToken);

    private static DirectiveRow Row(Directive d, string providerName, DateTime now) => new(
        d.Id, d.ProviderId, providerName, d.Kind, d.Instructions, d.IssuedAtUtc, d.DeadlineUtc, d.Status, d.IsOverdueAt(now),
        d.AcknowledgedAtUtc, d.Attestation, d.AttestedAtUtc);

    private static string Reason(string? reason)
    {
        var trimmed = (reason ?? string.Empty).Trim();
        if (trimmed.Length < 10)
        {
            throw new DomainException("Give the reason for this corrective action (at least 10 characters).");
        }

        return trimmed.Length > 1000 ? throw new DomainException("The reason has at most 1000 characters.") : trimmed;
    }

    private static readonly string[] Admin = [Roles.ProviderAdmin];
    private static readonly string[] Moh = [Roles.MohAdmin];
    private static readonly string[] Overseers = [Roles.MohAdmin, Roles.MohAuditor];
    private static readonly string[] Everyone = [Roles.ProviderAdmin, Roles.MohAdmin, Roles.MohAuditor];
}
