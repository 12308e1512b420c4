using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Notifications;

namespace Nehr.Core.Access;

/// <summary>A clinician's request to break the glass. Fields left null are missing.</summary>
public sealed record OverrideRequest(AuditContext Who, int PatientId, OverrideReason? Reason, string? Justification, bool Attested);

/// <summary>Granted (with the override), or refused with a message per field or for the whole request.</summary>
public sealed record OverrideResult(EmergencyOverride? Override, IReadOnlyDictionary<string, string> Errors)
{
    public const string General = "";

    public bool Granted => Override is not null;

    public static OverrideResult Refused(string field, string message) => new(null, new Dictionary<string, string> { [field] = message });
}

/// <summary>
/// "Break the glass": offered only when the decision is BasicSetOnly, never past rules 1-4. Granting creates the
/// override (which is also the item in the MOH review queue), a notice to the patient and the audit event, together.
/// </summary>
public sealed class EmergencyOverrideService(
    IDbContextFactory<NehrDbContext> dbFactory, AuditTrail audit, TimeProvider clock, IOptions<AccessOptions> options)
{
    public static string ReasonText(OverrideReason reason) => reason switch
    {
        OverrideReason.UnconsciousPatient => "Unconscious patient",
        OverrideReason.LifeThreateningCondition => "Life-threatening condition",
        OverrideReason.PatientUnableToConsent => "Patient unable to consent",
        _ => reason.ToString(),
    };

    public async Task<OverrideResult> GrantAsync(OverrideRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = Validate(request, out var justification);
        if (errors.Count > 0)
        {
            return new OverrideResult(null, errors);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
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
        if (refusal is not null)
        {
            await audit.AppendAsync(db, facts.AuditEntry(
                AuditEventTypes.OverrideRefused, request.Who, request.PatientId, decision,
                $"reason={request.Reason}; refused: {refusal}") with { Outcome = AuditOutcome.Denied }, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return OverrideResult.Refused(OverrideResult.General, refusal);
        }

        var granted = new EmergencyOverride(
            request.PatientId, facts.Person!.Id, facts.Provider!.Id, request.Reason!.Value, justification,
            request.Attested, now, options.Value.OverrideDuration);
        db.EmergencyOverrides.Add(granted);
        await db.SaveChangesAsync(cancellationToken);
        await PatientNotifier.NotifyAsync(
            db, request.PatientId, NoticeKind.EmergencyOverride,
            string.Create(CultureInfo.InvariantCulture,
                $"A {facts.Person.Role.ToString().ToLowerInvariant()} at {facts.Provider.Name} used an emergency override to see your full record ({ReasonText(granted.Reason).ToLowerInvariant()}), from {granted.GrantedAtUtc:yyyy-MM-dd HH:mm} until {granted.ExpiresAtUtc:yyyy-MM-dd HH:mm} UTC. MOH reviews every emergency override."),
            now, granted.Id, cancellationToken);
        await audit.AppendAsync(db, facts.AuditEntry(
            AuditEventTypes.OverrideGranted, request.Who, request.PatientId,
            new AccessDecision(AccessLevel.Full, DecisionReason.EmergencyOverride),
            string.Create(CultureInfo.InvariantCulture,
                $"override={granted.Id}; reason={granted.Reason}; until={granted.ExpiresAtUtc:O}; justification={granted.Justification}")), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new OverrideResult(granted, new Dictionary<string, string>());
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
