namespace Nehr.Core.Notifications;

public enum NoticeKind
{
    EmergencyOverride,
    FirstAccessByProvider,
    ReportClosed,
    RegisteredByProvider,

    /// <summary>About a caregiver or representative: an invitation, an answer, an ending, an appointment, a change they made.</summary>
    Representation,

    /// <summary>MOH auditors found an access to the patient's record to be misuse.</summary>
    AccessReviewed,

    /// <summary>MOH's verdict on an emergency override of the patient's record.</summary>
    OverrideReviewed,
}

/// <summary>A notice to a patient, shown in their notifications (and sent by e-mail through the outbox).</summary>
public sealed class PatientNotice
{
    public const int MaxMessageLength = 1000;
    public const int MaxTextKeyLength = 500;
    public const int MaxTextArgumentsLength = 4000;

    private PatientNotice()
    {
        Message = string.Empty;
    }

    /// <summary>
    /// A notice kept as its text's key and arguments (shown in the patient's language when read) and, for whoever reads
    /// the table, in English.
    /// </summary>
    public PatientNotice(int patientId, NoticeKind kind, PatientMessage text, DateTime createdAtUtc, long? overrideId = null)
        : this(patientId, kind, (text ?? throw new ArgumentNullException(nameof(text))).English, createdAtUtc, overrideId)
    {
        var arguments = text.ArgumentsJson();
        if (text.Key.Length <= MaxTextKeyLength && arguments.Length <= MaxTextArgumentsLength)
        {
            TextKey = text.Key;
            TextArguments = arguments;
        }
    }

    /// <summary>A notice in English only (as every notice was before they were kept as a key and arguments).</summary>
    public PatientNotice(int patientId, NoticeKind kind, string message, DateTime createdAtUtc, long? overrideId = null)
    {
        if (patientId <= 0)
        {
            throw new DomainException("A notice is for a patient.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        PatientId = patientId;
        Kind = kind;
        Message = message.Length > MaxMessageLength ? message[..MaxMessageLength] : message;
        CreatedAtUtc = createdAtUtc;
        OverrideId = overrideId;
    }

    public long Id { get; private set; }

    public int PatientId { get; private set; }

    public NoticeKind Kind { get; private set; }

    public string Message { get; private set; }

    /// <summary>The English text with placeholders that is the key of its translations; null for a notice kept in English only.</summary>
    public string? TextKey { get; private set; }

    /// <summary>The arguments of <see cref="TextKey"/> (JSON).</summary>
    public string? TextArguments { get; private set; }

    public DateTime CreatedAtUtc { get; private set; }

    public long? OverrideId { get; private set; }

    public DateTime? ReadAtUtc { get; private set; }

    /// <summary>The notice in a language: its text rendered again with <paramref name="translate"/>; a notice kept in English only shows its message.</summary>
    public string Show(Func<string, string> translate) => TextKey is null
        ? Message
        : new PatientMessage(TextKey, PatientMessage.ArgumentsFromJson(TextArguments)).Render(translate);

    public void MarkRead(DateTime atUtc) => ReadAtUtc ??= atUtc;
}
