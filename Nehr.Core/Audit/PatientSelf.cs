using Nehr.Core.Administration;
using Nehr.Core.Commands;
using Nehr.Core.Data;

namespace Nehr.Core.Audit;

/// <summary>The signed-in patient behind a patient's own action; anyone without a patient record is refused.</summary>
internal static class PatientSelf
{
    public const string RefusalMessage = "Only a patient can do this, for their own record.";

    /// <summary>The caller's own patient id. Anyone else is refused: the command pipeline audits the refusal.</summary>
    public static async Task<int> RequireAsync(NehrDbContext db, AuditContext who, string action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(who);
        return await AccessHistory.OwnPatientIdAsync(db, who.UserId, cancellationToken)
            ?? throw new CommandRefusal(StaffActor.RefusalEntry(who, null, action, "requires a patient's own account"), RefusalMessage);
    }
}
