using Nehr.Core.Representatives;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Administration;
using Nehr.Core.Data;
using Nehr.Core.Identity;

namespace Nehr.Core.Audit;

/// <summary>A care registration as its patient sees it, with where their report of it stands (null: not reported).</summary>
public sealed record PatientRegistration(long Id, string Provider, RegistrationSource Source, DateTime SinceUtc, DateTime? UntilUtc, ReportStatus? Report);

/// <summary>
/// A patient reports an access, or a care registration, they do not recognise; it becomes a case in the MOH auditors'
/// queue.
/// </summary>
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

    /// <summary>One of the patient's own registrations (current or not), with their report of it; null when it is not theirs.</summary>
    public Task<PatientRegistration?> RegistrationAsync(AuditContext who, long registrationId, CancellationToken cancellationToken = default) =>
        commands.ReadAsPatientAsync(who, "report a registration", RepresentativePowers.ReportAccesses, command =>
            Registration(command.Db, command.PatientId, registrationId).SingleOrDefaultAsync(cancellationToken), cancellationToken);

    /// <summary>
    /// Reports a care registration the patient does not recognise: a case for MOH auditors, linked to the audit event
    /// that recorded the registration (or, for a registration from before registrations were audited, to the report's
    /// own event). Another patient's registration is refused (audited); a second report of the same one is refused.
    /// </summary>
    public Task<AccessReport> ReportRegistrationAsync(AuditContext who, long registrationId, string? comment, CancellationToken cancellationToken = default) =>
        commands.RunAsPatientAsync(who, "report a registration", RepresentativePowers.ReportAccesses, async command =>
    {
        var (db, patientId) = (command.Db, command.PatientId);
        var registration = await db.CareRegistrations.AsNoTracking().Where(r => r.Id == registrationId && r.PatientId == patientId)
            .Select(r => new { r.Id, r.ProviderId }).SingleOrDefaultAsync(cancellationToken)
            ?? throw command.Refuse(string.Create(CultureInfo.InvariantCulture, $"registration={registrationId} is not the patient's"),
                new PatientMessage("This registration is not one of yours."));
        if (await db.AccessReports.AnyAsync(r => r.PatientId == patientId && r.RegistrationId == registrationId, cancellationToken))
        {
            throw new DomainException(new PatientMessage("You have already reported this registration; MOH auditors are looking into it."));
        }

        var prefix = string.Create(CultureInfo.InvariantCulture, $"registration={registration.Id};");
        var recorded = await db.AuditEvents.AsNoTracking()
            .Where(e => e.PatientId == patientId && e.EventType == AuditEventTypes.CareRegistered && e.Details != null && e.Details.StartsWith(prefix))
            .OrderBy(e => e.Sequence).Select(e => (long?)e.Sequence).FirstOrDefaultAsync(cancellationToken);
        var reported = await command.AuditAsync(AuditEventTypes.RegistrationReported, string.Create(CultureInfo.InvariantCulture,
            $"reported registration={registration.Id}; provider={registration.ProviderId}{(recorded is { } r ? $"; recorded by event={r}" : "")}"),
            cancellationToken: cancellationToken);
        // Chained now: the report names its event's sequence when the registration's own event is not on record.
        await db.SaveChangesAsync(cancellationToken);
        var report = AccessReport.OfRegistration(patientId, registration.Id, recorded ?? reported.Sequence, comment, command.Now);
        db.AccessReports.Add(report);
        return report;
    }, cancellationToken);

    private static IQueryable<PatientRegistration> Registration(NehrDbContext db, int patientId, long registrationId) =>
        from r in db.CareRegistrations.AsNoTracking()
        where r.PatientId == patientId && r.Id == registrationId
        join p in db.Providers on r.ProviderId equals p.Id
        select new PatientRegistration(
            r.Id, p.Name, r.Source, r.RegisteredAtUtc, r.EndedAtUtc ?? r.ExpiresAtUtc,
            db.AccessReports.Where(a => a.RegistrationId == r.Id).Select(a => (ReportStatus?)a.Status).FirstOrDefault());
}
