namespace Nehr.Core.Notifications;

public enum NoticeKind
{
    EmergencyOverride,
    FirstAccessByProvider,
    ReportClosed,
    RegisteredByProvider,

    /// <summary>About a caregiver or representative: an invitation, an answer, an ending, an appointment, a change they made.</summary>
    Representation,
}

/// <summary>A notice to a patient, shown in their notifications (and sent by e-mail through the outbox).</summary>
public sealed class PatientNotice
{
    public const int MaxMessageLength = 1000;

    private PatientNotice()
    {
        Message = string.Empty;
    }

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

    public DateTime CreatedAtUtc { get; private set; }

    public long? OverrideId { get; private set; }

    public DateTime? ReadAtUtc { get; private set; }

    public void MarkRead(DateTime atUtc) => ReadAtUtc ??= atUtc;
}
