using Microsoft.EntityFrameworkCore;
using Nehr.Core.Data;

namespace Nehr.Core.Notifications;

/// <summary>
/// Adds a notice for a patient, and the e-mail that carries it, to the caller's unit of work. The notice keeps its text
/// as a key and arguments, shown in the language the patient reads it in; the e-mail is written once, when enqueued, in
/// the language kept with the patient's account (English when none).
/// </summary>
public static class PatientNotifier
{
    public const string Subject = "NEHR: your health record was accessed";
    public const string ReportSubject = "NEHR: the access you reported has been reviewed";
    public const string RegistrationSubject = "NEHR: a provider registered you for care";
    public const string RepresentationSubject = "NEHR: someone who acts for you, or whom you act for";
    public const string AccessReviewSubject = "NEHR: MOH reviewed an access to your record";
    public const string OverrideReviewSubject = "NEHR: the emergency override of your record has been reviewed";

    public const string AccessClosing = "Sign in to the NEHR Portal to see who accessed your record. If you do not recognise an access, report it from your access history.";
    public const string ReportClosing = "Sign in to the NEHR Portal to see the case in your access history.";
    public const string RegistrationClosing = "Sign in to the NEHR Portal to see where you are registered for care and who may see your record.";
    public const string RepresentationClosing = "Sign in to the NEHR Portal with Singpass to see your caregivers and representatives.";
    public const string OverrideReviewClosing = "Sign in to the NEHR Portal to see the override in your access history.";

    /// <summary>Every subject and closing line an e-mail may have (English, the keys of their translations).</summary>
    public static IEnumerable<string> EmailTexts =>
        [Subject, ReportSubject, RegistrationSubject, RepresentationSubject, OverrideReviewSubject, AccessReviewSubject,
            AccessClosing, ReportClosing, RegistrationClosing, RepresentationClosing, OverrideReviewClosing];

    public static async Task NotifyAsync(
        NehrDbContext db, int patientId, NoticeKind kind, PatientMessage text, DateTime nowUtc, long? overrideId = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(text);
        db.PatientNotices.Add(new PatientNotice(patientId, kind, text, nowUtc, overrideId));
        // In the portal always; by e-mail unless the patient turned it off; by SMS when they chose it and gave a mobile number.
        var account = await db.Users.AsNoTracking()
            .Where(u => u.PatientId == patientId)
            .OrderBy(u => u.Email == null).ThenBy(u => u.Id)
            .Select(u => new
            {
                u.Email,
                u.EmailNoticesOff,
                u.PhoneNumber,
                u.SmsNotices,
                Language = db.UserClaims.Where(c => c.UserId == u.Id && c.ClaimType == PatientWords.LanguageClaim).Select(c => c.ClaimValue).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(cancellationToken);
        if (account is null)
        {
            return;
        }

        var translate = PatientWords.In(PatientWords.Culture(account.Language));
        var (subject, closing) = kind switch
        {
            NoticeKind.ReportClosed => (ReportSubject, ReportClosing),
            NoticeKind.RegisteredByProvider => (RegistrationSubject, RegistrationClosing),
            NoticeKind.Representation => (RepresentationSubject, RepresentationClosing),
            NoticeKind.AccessReviewed => (AccessReviewSubject, AccessClosing),
            NoticeKind.OverrideReviewed => (OverrideReviewSubject, OverrideReviewClosing),
            _ => (Subject, AccessClosing),
        };
        if (account.Email is { } email && !account.EmailNoticesOff)
        {
            db.OutboxMessages.Add(new OutboxMessage(email, translate(subject), $"{text.Render(translate)}\n\n{translate(closing)}", nowUtc));
        }

        // The SMS names the kind of notice only, never who, where or what: a number is not confirmed, and a mistyped
        // digit must not send a stranger what happened to someone's health record. The portal shows the notice.
        if (account.SmsNotices && MobileNumbers.IsMobile(account.PhoneNumber))
        {
            db.OutboxMessages.Add(OutboxMessage.Sms(account.PhoneNumber!, $"{translate(subject)}\n{translate(closing)}", nowUtc));
        }
    }
}
