using Microsoft.EntityFrameworkCore;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Records;

namespace Nehr.Core.Access;

/// <summary>A patient found by a clinician: enough to confirm identity before opening the record.</summary>
public sealed record FoundPatient(int Id, string Nric, string Name, DateOnly DateOfBirth, Sex Sex)
{
    /// <summary>False while the person was enrolled by a provider's feed and the population register has not confirmed them.</summary>
    public bool DemographicsConfirmed { get; init; } = true;

    /// <summary>The population register recorded the person's death.</summary>
    public bool IsDeceased { get; init; }

    public DateOnly? DateOfDeath { get; init; }
}

/// <summary>Found, or refused with the reason to show.</summary>
public sealed record LookupResult(FoundPatient? Patient, AccessDecision Decision)
{
    public bool Found => Patient is not null;
}

/// <summary>
/// A clinician finds a patient by NRIC/FIN among the patients registered with their own provider. Whether an
/// unregistered NRIC exists at all is never revealed: it gets the same answer as one not in the NEHR. Audited.
/// </summary>
public sealed class PatientLookup(Commands.Commands commands, Microsoft.Extensions.Options.IOptionsMonitor<Administration.RecertificationOptions> recertification)
{
    public async Task<LookupResult> FindByNricAsync(AuditContext who, Nric nric, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(who);
        if (nric == default)
        {
            throw new DomainException("Enter an NRIC or FIN.");
        }

        return await commands.RunAsync(who, async command =>
        {
            var db = command.Db;
            // A former NRIC/FIN (e.g. the FIN of someone who became a citizen) still finds the person.
            var patient = await db.Patients.AsNoTracking()
                .Where(p => p.Nric == nric || db.FormerIdentifiers.Any(f => f.Nric == nric && f.PatientId == p.Id))
                .Select(p => new FoundPatient(p.Id, p.Nric.Value, p.Name, p.DateOfBirth, p.Sex)
                {
                    DemographicsConfirmed = p.DemographicsConfirmed,
                    IsDeceased = p.IsDeceased,
                    DateOfDeath = p.DateOfDeath,
                })
                .SingleOrDefaultAsync(cancellationToken);
            var facts = await AccessFacts.LoadAsync(db, who.UserId, patient?.Id ?? 0, command.Now, recertification.CurrentValue, cancellationToken);
            var decision = AccessRules.Decide(facts.ToRequest(PurposeOfUse.Treatment));
            var found = decision.AllowsClinicalData ? patient : null;
            await command.AuditAsync(facts.AuditEntry(
                AuditEventTypes.PatientLookup, who, patient?.Id ?? 0, decision, $"nric={nric.Masked}") with
            {
                // A lookup reads no clinical data: it records the outcome, not a level of access.
                Level = null,
                IsOverride = false,
                PatientId = patient?.Id,
            }, cancellationToken);
            return new LookupResult(found, decision);
        }, cancellationToken);
    }
}
