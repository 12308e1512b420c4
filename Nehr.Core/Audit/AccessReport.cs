namespace Nehr.Core.Audit;

public enum ReportStatus
{
    Open,
    Confirmed,
    Dismissed,
}

/// <summary>
/// A patient's report of an access they do not recognise, or of a care registration they do not recognise (then
/// <see cref="RegistrationId"/> names it and <see cref="AuditSequence"/> is the registration's own audit event): a case
/// in the MOH auditors' queue.
/// </summary>
public sealed class AccessReport
{
    public const int MaxCommentLength = 1000;
    public const int MaxFindingsLength = 4000;

    private AccessReport()
    {
        Comment = string.Empty;
    }

    public AccessReport(int patientId, long auditSequence, string? comment, DateTime reportedAtUtc)
    {
        if (patientId <= 0 || auditSequence <= 0)
        {
            throw new DomainException("A report names the patient and the access.");
        }

        var trimmed = (comment ?? string.Empty).Trim();
        if (trimmed.Length > MaxCommentLength)
        {
            throw new DomainException(new PatientMessage("Say what you know in at most {0} characters.", MessageArgument.Text(MaxCommentLength.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        PatientId = patientId;
        AuditSequence = auditSequence;
        Comment = trimmed;
        ReportedAtUtc = reportedAtUtc;
        Status = ReportStatus.Open;
    }

    /// <summary>A report of a care registration: <paramref name="auditSequence"/> is the event that recorded it.</summary>
    public static AccessReport OfRegistration(int patientId, long registrationId, long auditSequence, string? comment, DateTime reportedAtUtc)
    {
        if (registrationId <= 0)
        {
            throw new DomainException("A report names the patient and the registration.");
        }

        return new AccessReport(patientId, auditSequence, comment, reportedAtUtc) { RegistrationId = registrationId };
    }

    public long Id { get; private set; }

    public int PatientId { get; private set; }

    /// <summary>The care registration reported; null for a report of an access.</summary>
    public long? RegistrationId { get; private set; }

    public bool IsAboutRegistration => RegistrationId is not null;

    /// <summary>The audited access the patient does not recognise.</summary>
    public long AuditSequence { get; private set; }

    public string Comment { get; private set; }

    public DateTime ReportedAtUtc { get; private set; }

    public ReportStatus Status { get; private set; }

    public string? Findings { get; private set; }

    public string? ClosedBy { get; private set; }

    public DateTime? ClosedAtUtc { get; private set; }

    public void Close(bool confirmedInappropriate, string findings, string closedBy, DateTime atUtc)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(closedBy);
        if (Status != ReportStatus.Open)
        {
            throw new DomainException("This case is already closed.");
        }

        var trimmed = (findings ?? string.Empty).Trim();
        if (trimmed.Length == 0)
        {
            throw new DomainException("Record the findings before closing the case.");
        }

        if (trimmed.Length > MaxFindingsLength)
        {
            throw new DomainException($"Findings have at most {MaxFindingsLength} characters.");
        }

        Status = confirmedInappropriate ? ReportStatus.Confirmed : ReportStatus.Dismissed;
        Findings = trimmed;
        ClosedBy = closedBy;
        ClosedAtUtc = atUtc;
    }
}
