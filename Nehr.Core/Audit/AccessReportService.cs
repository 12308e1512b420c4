using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Data;
using Nehr.Core.Identity;

namespace Nehr.Core.Audit;

/// <summary>A patient reports an access they do not recognise; it becomes a case in the MOH auditors' queue.</summary>
public sealed class AccessReportService(IDbContextFactory<NehrDbContext> dbFactory, AuditTrail audit, TimeProvider clock)
{
    public async Task<AccessReport> ReportAsync(AuditContext who, long auditSequence, string? comment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(who);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
        var patientId = await PatientSelf.RequireAsync(db, audit, who, "report an access", cancellationToken);

        // The access must be one in this patient's own history: another patient's event is refused (and audited), never reported.
        if (!await AccessHistory.Accesses(db, patientId).AnyAsync(e => e.Sequence == auditSequence, cancellationToken))
        {
            await Administration.StaffActor.RefuseAsync(db, audit, who, null, "report an access", "event not in the patient's own history",
                cancellationToken, "This access is not in your access history.", patientId);
        }

        if (await db.AccessReports.AnyAsync(r => r.PatientId == patientId && r.AuditSequence == auditSequence, cancellationToken))
        {
            throw new DomainException("You have already reported this access; MOH auditors are looking into it.");
        }

        var report = new AccessReport(patientId, auditSequence, comment, clock.GetUtcNow().UtcDateTime);
        db.AccessReports.Add(report);
        await audit.AppendAsync(db, new AuditEntry
        {
            EventType = AuditEventTypes.AccessReported,
            CorrelationId = who.CorrelationId,
            ActorUserId = who.UserId,
            ActorRole = Roles.Patient,
            ClientAddress = who.ClientAddress,
            PatientId = patientId,
            Details = string.Create(CultureInfo.InvariantCulture, $"reported access={auditSequence}"),
        }, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return report;
    }
}
