using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nehr.Core.Audit;
using Nehr.Core.Commands;
using Nehr.Core.Data;
using Nehr.Core.Notifications;

namespace Nehr.Core.Access;

/// <summary>A clinician's request to break the glass. Fields left null are missing.</summary>
public sealed record OverrideRequest(AuditContext Who, int PatientId, OverrideReason? Reason, string? Justification, bool Attested);

/// <summary>
/// "Break the glass": offered only when the decision is BasicSetOnly, never past rules 1-4. Granting creates the
/// override (which is also the item in the MOH review queue), a notice to the patient and the audit event, together.
/// </summary>
public sealed class EmergencyOverrideService(Commands.Commands commands, IOptions<AccessOptions> options)
{
    public static string ReasonText(OverrideReason reason) => reason switch
    {
        OverrideReason.UnconsciousPatient => "Unconscious patient",
        OverrideReason.LifeThreateningCondition => "Life-threatening condition",
        OverrideReason.PatientUnableToConsent => "Patient unable to consent",
        _ => reason.ToString(),
    };

    /// <summary>
    /// Grants the override, or throws: <see cref="DomainException"/> with an error per field for an incomplete request
    /// (nothing written), <see cref="AccessRefusedException"/> when the access rules refuse it (the refusal audited).
    /// </summary>
    public async Task<EmergencyOverride> GrantAsync(OverrideRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = Validate(request, out var justification);
        if (errors.Count > 0 || request.Reason is not { } reason)
        {
            throw new DomainException(errors);
        }

        return await commands.RunAsync(request.Who, async command =>
        {
            var (db, now) = (command.Db, command.Now);
            var facts = await AccessFacts.LoadAsync(db, request.Who.UserId, request.PatientId, now, cancellationToken);
            var decision = AccessRules.Decide(facts.ToRequest(PurposeOfUse.BreakTheGlass));
            var refusal = decision switch
            {
                { Level: AccessLevel.BasicSetOnly } => null,
                { IsOverride: true } => string.Create(CultureInfo.InvariantCulture,
                    $"You already have an active emergency override for this patient until {facts.OverrideExpiresAtUtc:yyyy-MM-dd HH:mm} UTC."),
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
                string.Create(CultureInfo.InvariantCulture,
                    $"A {person.Role.ToString().ToLowerInvariant()} at {provider.Name} used an emergency override to see your full record ({ReasonText(granted.Reason).ToLowerInvariant()}), from {granted.GrantedAtUtc:yyyy-MM-dd HH:mm} until {granted.ExpiresAtUtc:yyyy-MM-dd HH:mm} UTC. MOH reviews every emergency override."),
                now, granted.Id, cancellationToken);
            await command.AuditAsync(facts.AuditEntry(
                AuditEventTypes.OverrideGranted, request.Who, request.PatientId,
                new AccessDecision(AccessLevel.Full, DecisionReason.EmergencyOverride),
                string.Create(CultureInfo.InvariantCulture,
                    $"override={granted.Id}; reason={granted.Reason}; until={granted.ExpiresAtUtc:O}; justification={granted.Justification}")), cancellationToken);
            return granted;
        }, cancellationToken);
    }

    private static Dictionary<string, string> Validate(OverrideRequest request, out Justification justification)
    {
        var errors = new Dictionary<string, string>();
        if (request.Reason is null || !Enum.IsDefined(request.Reason.Value))
        {
            errors[nameof(OverrideRequest.Reason)] = "Choose the reason for the emergency override.";
        }

        if (!Justification.TryParse(request.Justification, out justification, out var error))
        {
            errors[nameof(OverrideRequest.Justification)] = error;
        }

        if (!request.Attested)
        {
            errors[nameof(OverrideRequest.Attested)] = "Confirm that you understand overrides are audited and misuse is penalised.";
        }

        return errors;
    }
}
