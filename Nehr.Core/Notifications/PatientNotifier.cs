using Microsoft.EntityFrameworkCore;
using Nehr.Core.Data;

namespace Nehr.Core.Notifications;

/// <summary>Adds a notice for a patient, and the e-mail that carries it, to the caller's unit of work.</summary>
public static class PatientNotifier
{
    public const string Subject = "NEHR: your health record was accessed";
    public const string ReportSubject = "NEHR: the access you reported has been reviewed";

    public static async Task NotifyAsync(
        NehrDbContext db, int patientId, NoticeKind kind, string message, DateTime nowUtc, long? overrideId = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        db.PatientNotices.Add(new PatientNotice(patientId, kind, message, nowUtc, overrideId));
        var email = await db.Users.AsNoTracking()
            .Where(u => u.PatientId == patientId && u.Email != null)
            .Select(u => u.Email)
            .FirstOrDefaultAsync(cancellationToken);
        if (email is not null)
        {
            db.OutboxMessages.Add(new OutboxMessage(
                email, kind == NoticeKind.ReportClosed ? ReportSubject : Subject,
                kind == NoticeKind.ReportClosed
                    ? $"{message}\n\nSign in to the NEHR Portal to see the case in your access history."
                    : $"{message}\n\nSign in to the NEHR Portal to see who accessed your record. If you do not recognise an access, report it from your access history.",
                nowUtc));
        }
    }
}
