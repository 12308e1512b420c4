using Nehr.Core.Representatives;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Data;
using Nehr.Core.Identity;

namespace Nehr.Core.Audit;

/// <summary>A patient reports an access they do not recognise; it becomes a case in the MOH auditors' queue.</summary>
public sealed class AccessReportService(Commands.Commands commands)
{
    public Task<AccessReport> ReportAsync(AuditContext who, long auditSequence, string? comment, CancellationToken cancellationToken = default) =>
        commands.RunAsPatientAsync(who, "report an access", RepresentativePowers.ReportAccesses, async command =>
    {
        var (db, patientId) = (command.Db, command.PatientId);

        // The access must be one in this patient's own history: another patient's event is refused (and audited), never reported.
        if (!await AccessHistory.Accesses(db, patientId).AnyAsync(e => e.Sequence == auditSequence, cancellationToken))
        {
            throw command.Refuse("event not in the patient's own history", new PatientMessage("This access is not in your access history."));
        }

        if (await db.AccessReports.AnyAsync(r => r.PatientId == patientId && r.AuditSequence == auditSequence, cancellationToken))
        {
            throw new DomainException(new PatientMessage("You have already reported this access; MOH auditors are looking into it."));
        }

        var report = new AccessReport(patientId, auditSequence, comment, command.Now);
        db.AccessReports.Add(report);
        await command.AuditAsync(AuditEventTypes.AccessReported, string.Create(CultureInfo.InvariantCulture, $"reported access={auditSequence}"),
            cancellationToken: cancellationToken);
        return report;
    }, cancellationToken);
}
