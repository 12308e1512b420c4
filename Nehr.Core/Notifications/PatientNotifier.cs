using Microsoft.EntityFrameworkCore;
using Nehr.Core.Data;

namespace Nehr.Core.Notifications;

/// <summary>Adds a notice for a patient, and the e-mail that carries it, to the caller's unit of work.</summary>
public static class PatientNotifier
{
    public const string Subject = "NEHR: your health record was accessed";
    public const string ReportSubject = "NEHR: the access you reported has been reviewed";
    public const string RegistrationSubject = "NEHR: a provider registered you for care";
    public const string RepresentationSubject = "NEHR: someone who acts for you, or whom you act for";

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
                email,
                kind switch
                {
                    NoticeKind.ReportClosed => ReportSubject,
                    NoticeKind.RegisteredByProvider => RegistrationSubject,
                    NoticeKind.Representation => RepresentationSubject,
                    _ => Subject,
                },
                kind switch
                {
                    NoticeKind.ReportClosed => $"{message}\n\nSign in to the NEHR Portal to see the case in your access history.",
                    NoticeKind.RegisteredByProvider => $"{message}\n\nSign in to the NEHR Portal to see where you are registered for care and who may see your record.",
                    NoticeKind.Representation => $"{message}\n\nSign in to the NEHR Portal with Singpass to see your caregivers and representatives.",
                    _ => $"{message}\n\nSign in to the NEHR Portal to see who accessed your record. If you do not recognise an access, report it from your access history.",
                },
                nowUtc));
        }
    }
}
