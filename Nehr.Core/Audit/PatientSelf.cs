using Microsoft.EntityFrameworkCore;
using Nehr.Core.Administration;
using Nehr.Core.Commands;
using Nehr.Core.Data;
using Nehr.Core.Representatives;

namespace Nehr.Core.Audit;

/// <summary>
/// Whose record a patient's action is about: the signed-in person's own, or, while they act under a representation
/// (<see cref="AuditContext.RepresentationId"/>), the represented patient's, if that representation allows the action
/// now (checked on current data, every time). Anyone without a patient record is refused; so is a representation that
/// is not theirs, has ended, or does not allow the action. Every refusal is audited by the command pipeline.
/// </summary>
internal static class PatientSelf
{

    public const string RepresentativeRole = "Representative";

    /// <param name="power">What the action needs of a representation; null for an action a person only ever takes for themselves.</param>
    public static async Task<PatientSubject> RequireAsync(
        NehrDbContext db, AuditContext who, string action, RepresentativePowers? power, DateTime nowUtc, int deceasedReadDays, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(who);
        var own = await AccessHistory.OwnPatientIdAsync(db, who.UserId, cancellationToken)
            ?? throw new CommandRefusal(StaffActor.RefusalEntry(who, null, action, "requires a patient's own account"), new PatientMessage("Only a patient can do this, for their own record."));
        if (who.RepresentationId is not { } representationId || power is not { } needed)
        {
            return new PatientSubject(own, own, null);
        }

        var representation = await db.Representations.AsNoTracking().SingleOrDefaultAsync(r => r.Id == representationId, cancellationToken);
        var ownNric = await db.Patients.Where(p => p.Id == own).Select(p => p.Nric).SingleAsync(cancellationToken);
        if (representation is null || !representation.Names(own, ownNric))
        {
            throw new CommandRefusal(StaffActor.RefusalEntry(who, null, action, $"acting under representation {representationId}, which is not the caller's"),
                new PatientMessage("You cannot act for this person."));
        }

        var patient = await db.Patients.AsNoTracking().Where(p => p.Id == representation.PatientId)
            .Select(p => new { p.Name, p.IsDeceased, p.DateOfDeath }).SingleAsync(cancellationToken);
        if (representation.WhyNotText(needed, nowUtc, patient.IsDeceased, patient.DateOfDeath, deceasedReadDays) is { } why)
        {
            throw new CommandRefusal(
                StaffActor.RefusalEntry(who, null, action, $"representation={representation.Id}; kind={representation.Kind}; {why.English}", representation.PatientId) with
                {
                    ActorRole = RepresentativeRole,
                },
                new PatientMessage("You cannot do this for {0}: {1}.", MessageArgument.Text(patient.Name), MessageArgument.Message(why)));
        }

        return new PatientSubject(representation.PatientId, own, representation);
    }
}

/// <summary>Whose record a patient's action is about, and under which representation (null: their own).</summary>
internal sealed record PatientSubject(int PatientId, int OwnPatientId, Representation? Representation);
