using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Commands;
using Nehr.Core.Data;
using Nehr.Core.Notifications;

namespace Nehr.Core.Access;

/// <summary>A clinician's request to break the glass. Fields left null are missing.</summary>
public sealed record OverrideRequest(AuditContext Who, int PatientId, OverrideReason? Reason, string? Justification, bool Attested);

/// <summary>A clinician's word to end their own active override of a patient's restriction now.</summary>
public sealed record EndOverrideRequest(AuditContext Who, int PatientId);

/// <summary>
/// "Break the glass": offered only when the decision is BasicSetOnly, never past rules 1-4. Granting creates the
/// override (which is also the item in the MOH review queue), a notice to the patient and the audit event, together.
/// </summary>
public sealed class EmergencyOverrideService(
    Commands.Commands commands, IOptions<AccessOptions> options, IOptionsMonitor<Administration.RecertificationOptions> recertification)
{
    public static string ReasonText(OverrideReason reason) => reason switch
    {
        OverrideReason.UnconsciousPatient => "Unconscious patient",
        OverrideReason.LifeThreateningCondition => "Life-threatening condition",
        OverrideReason.PatientUnableToConsent => "Patient unable to consent",
        _ => reason.ToString(),
    };

    /// <summary>How long an override granted now lasts (the configured window).</summary>
    public TimeSpan Duration => options.Value.OverrideDuration;

    /// <summary>
    /// The errors of a request by field (none when it may be sent): the rules the server applies, for a form to show
    /// as the clinician types.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Check(OverrideReason? reason, string? justification, bool attested) =>
        Validate(reason, justification, attested, out _);

    /// <summary>
    /// Grants the override, or throws: <see cref="DomainException"/> with an error per field for an incomplete request
    /// (nothing written), <see cref="AccessRefusedException"/> when the access rules refuse it (the refusal audited).
    /// </summary>
    public async Task<EmergencyOverride> GrantAsync(OverrideRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = Validate(request.Reason, request.Justification, request.Attested, out var justification);
        if (errors.Count > 0 || request.Reason is not { } reason)
        {
            throw new DomainException(errors);
        }

        return await commands.RunAsync(request.Who, async command =>
        {
            var (db, now) = (command.Db, command.Now);
            // The decision's facts are read under claims: the patient's (one active override per clinician, the
            // restriction and registration decided on), and the clinician's standing, shared.
            await ClaimDecisionAsync(command, request.PatientId, cancellationToken);
            var facts = await AccessFacts.LoadAsync(db, request.Who.UserId, request.PatientId, now, recertification.CurrentValue, cancellationToken);
            var decision = AccessRules.Decide(facts.ToRequest(PurposeOfUse.BreakTheGlass));
            var refusal = decision switch
            {
                { Level: AccessLevel.BasicSetOnly } => null,
                { IsOverride: true } =>
                    $"You already have an active emergency override for this patient until {LocalTime.MomentNamed(facts.OverrideExpiresAtUtc!.Value)}.",
                { Level: AccessLevel.Full } => "You already see this patient's full record: no override is needed.",
                _ => decision.Explanation,
            };
            if (refusal is not null || facts.Person is not { } person || facts.Provider is not { } provider)
            {
                refusal ??= decision.Explanation;
                throw Command.Refuse(facts.AuditEntry(
                    AuditEventTypes.OverrideRefused, request.Who, request.PatientId, decision,
                    $"reason={request.Reason}; refused: {refusal}") with { Outcome = AuditOutcome.Denied }, refusal);
            }

            var granted = new EmergencyOverride(
                request.PatientId, person.Id, provider.Id, reason, justification, request.Attested, now, options.Value.OverrideDuration);
            db.EmergencyOverrides.Add(granted);
            await command.SaveAsync(cancellationToken);
            await PatientNotifier.NotifyAsync(
                db, request.PatientId, NoticeKind.EmergencyOverride,
                new PatientMessage(
                    "A {0} at {1} used an emergency override to see your full record ({2}), from {3} until {4}. MOH reviews every emergency override.",
                    MessageArgument.Phrase(ProfessionalRoles.Display(person.Role).ToLowerInvariant()), MessageArgument.Text(provider.Name),
                    MessageArgument.Phrase(ReasonText(granted.Reason).ToLowerInvariant()), MessageArgument.Moment(granted.GrantedAtUtc),
                    MessageArgument.MomentNamed(granted.ExpiresAtUtc)),
                now, granted.Id, cancellationToken);
            await command.AuditAsync(facts.AuditEntry(
                AuditEventTypes.OverrideGranted, request.Who, request.PatientId,
                new AccessDecision(AccessLevel.Full, DecisionReason.EmergencyOverride),
                string.Create(CultureInfo.InvariantCulture,
                    $"override={granted.Id}; reason={granted.Reason}; until={granted.ExpiresAtUtc:O}; justification={granted.Justification}")), cancellationToken);
            return granted;
        }, cancellationToken);
    }

    /// <summary>
    /// Ends the caller's active override of this patient's restriction now: from then on the record is what the access
    /// rules allow without it. The patient is told (their notice said until when it would last) and MOH still reviews
    /// it; the end is audited in the same transaction. Someone with no active override of this patient is refused,
    /// audited, and nothing changes.
    /// </summary>
    public Task<EmergencyOverride> EndAsync(EndOverrideRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return commands.RunAsync(request.Who, async command =>
        {
            var (db, now) = (command.Db, command.Now);
            await ClaimDecisionAsync(command, request.PatientId, cancellationToken);
            var facts = await AccessFacts.LoadAsync(db, request.Who.UserId, request.PatientId, now, recertification.CurrentValue, cancellationToken);
            var active = facts.Person is not { } person
                ? null
                : await db.EmergencyOverrides
                    .Where(o => o.PersonnelId == person.Id && o.PatientId == request.PatientId && o.GrantedAtUtc <= now && o.ExpiresAtUtc > now)
                    .OrderByDescending(o => o.ExpiresAtUtc)
                    .FirstOrDefaultAsync(cancellationToken);

            // What the rules allow once the override is gone: the level the end event records.
            var after = AccessRules.Decide((facts with { OverrideExpiresAtUtc = null }).ToRequest(PurposeOfUse.Treatment));
            if (active is null || facts.Provider is not { } provider)
            {
                const string refusal = "You have no active emergency override for this patient: there is nothing to end.";
                throw Command.Refuse(facts.AuditEntry(
                    AuditEventTypes.OverrideEnded, request.Who, request.PatientId, after, $"refused: {refusal}") with { Outcome = AuditOutcome.Denied }, refusal);
            }

            var planned = active.ExpiresAtUtc;
            active.EndAt(now);
            await PatientNotifier.NotifyAsync(
                db, request.PatientId, NoticeKind.EmergencyOverride,
                new PatientMessage(
                    "The emergency override by a {0} at {1} ended at {2}, earlier than planned (it was to last until {3}). MOH still reviews it.",
                    MessageArgument.Phrase(ProfessionalRoles.Display(facts.Person!.Role).ToLowerInvariant()), MessageArgument.Text(provider.Name),
                    MessageArgument.MomentNamed(now), MessageArgument.Moment(planned)),
                now, active.Id, cancellationToken);
            await command.AuditAsync(facts.AuditEntry(
                AuditEventTypes.OverrideEnded, request.Who, request.PatientId, after,
                string.Create(CultureInfo.InvariantCulture, $"override={active.Id}; ended={now:O}; planned={planned:O}")) with { Outcome = AuditOutcome.Success }, cancellationToken);
            return active;
        }, cancellationToken);
    }

    private static Dictionary<string, string> Validate(OverrideReason? reason, string? text, bool attested, out Justification justification)
    {
        var errors = new Dictionary<string, string>();
        if (reason is null || !Enum.IsDefined(reason.Value))
        {
            errors[nameof(OverrideRequest.Reason)] = "Choose the reason for the emergency override.";
        }

        if (!Justification.TryParse(text, out justification, out var error))
        {
            errors[nameof(OverrideRequest.Justification)] = error;
        }

        if (!attested)
        {
            errors[nameof(OverrideRequest.Attested)] = "Confirm that you understand overrides are audited and misuse is penalised.";
        }

        return errors;
    }

    /// <summary>The claims an override's decision is made under: the clinician's standing, shared; the patient, for the change.</summary>
    private static async Task ClaimDecisionAsync(Commands.Command command, int patientId, CancellationToken cancellationToken)
    {
        await StaffActor.ShareStandingAsync(command.Db, command.Who.UserId, cancellationToken);
        await command.ClaimAsync(DataClaim.Patient(patientId), cancellationToken);
    }
}
