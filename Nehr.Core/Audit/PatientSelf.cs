using Nehr.Core.Administration;
using Nehr.Core.Data;

namespace Nehr.Core.Audit;

/// <summary>The signed-in patient behind a patient's own action; anyone without a patient record is refused.</summary>
internal static class PatientSelf
{
    public const string RefusalMessage = "Only a patient can do this, for their own record.";

    /// <summary>The caller's own patient id. Anyone else is refused (audited and committed) and this throws.</summary>
    public static async Task<int> RequireAsync(NehrDbContext db, AuditTrail audit, AuditContext who, string action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(who);
        if (await AccessHistory.OwnPatientIdAsync(db, who.UserId, cancellationToken) is { } patientId)
        {
            return patientId;
        }

        await StaffActor.RefuseAsync(db, audit, who, null, action, "requires a patient's own account", cancellationToken, RefusalMessage);
        throw new InvalidOperationException("unreachable: RefuseAsync throws");
    }
}
