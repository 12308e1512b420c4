namespace Nehr.Core.Oversight;

public enum DirectiveKind
{
    StopUnauthorisedUse,
    DestroyUnauthorisedInformation,
}

public enum DirectiveStatus
{
    Issued,
    Acknowledged,
    Done,
}

/// <summary>
/// An MOH corrective action addressed to a provider, with a deadline. The provider's administrator acknowledges
/// it and later attests that it is done; until then it is overdue once the deadline has passed.
/// </summary>
public sealed class Directive
{
    public const int MinInstructionsLength = 20;
    public const int MaxTextLength = 4000;
    public const int MinAttestationLength = 20;

    private Directive()
    {
        Instructions = string.Empty;
        IssuedBy = string.Empty;
    }

    public Directive(int providerId, DirectiveKind kind, string? instructions, DateTime deadlineUtc, string issuedBy, DateTime issuedAtUtc)
    {
        if (providerId <= 0)
        {
            throw new DomainException("Choose the provider the directive is addressed to.");
        }

        if (!Enum.IsDefined(kind))
        {
            throw new DomainException("Choose what the directive orders.");
        }

        Instructions = Text(instructions, MinInstructionsLength, "Say what the provider must do");
        if (deadlineUtc <= issuedAtUtc)
        {
            throw new DomainException("The deadline must be in the future.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(issuedBy);
        ProviderId = providerId;
        Kind = kind;
        DeadlineUtc = deadlineUtc;
        IssuedBy = issuedBy;
        IssuedAtUtc = issuedAtUtc;
        Status = DirectiveStatus.Issued;
    }

    public long Id { get; private set; }

    public int ProviderId { get; private set; }

    public DirectiveKind Kind { get; private set; }

    public string Instructions { get; private set; }

    public DateTime DeadlineUtc { get; private set; }

    public string IssuedBy { get; private set; }

    public DateTime IssuedAtUtc { get; private set; }

    public DirectiveStatus Status { get; private set; }

    public string? AcknowledgedBy { get; private set; }

    public DateTime? AcknowledgedAtUtc { get; private set; }

    public string? Attestation { get; private set; }

    public string? AttestedBy { get; private set; }

    public DateTime? AttestedAtUtc { get; private set; }

    public static string KindText(DirectiveKind kind) => kind switch
    {
        DirectiveKind.StopUnauthorisedUse => "Stop an unauthorised use of the NEHR",
        DirectiveKind.DestroyUnauthorisedInformation => "Destroy information collected in an unauthorised manner",
        _ => kind.ToString(),
    };

    /// <summary>Not yet attested as done, and past its deadline.</summary>
    public bool IsOverdueAt(DateTime nowUtc) => Status != DirectiveStatus.Done && nowUtc > DeadlineUtc;

    public void Acknowledge(string by, DateTime atUtc)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        if (Status != DirectiveStatus.Issued)
        {
            throw new DomainException("This directive has already been acknowledged.");
        }

        AcknowledgedBy = by;
        AcknowledgedAtUtc = atUtc;
        Status = DirectiveStatus.Acknowledged;
    }

    public void AttestDone(string? attestation, string by, DateTime atUtc)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        if (Status == DirectiveStatus.Issued)
        {
            throw new DomainException("Acknowledge the directive before attesting that it is done.");
        }

        if (Status == DirectiveStatus.Done)
        {
            throw new DomainException("This directive has already been attested as done.");
        }

        Attestation = Text(attestation, MinAttestationLength, "Describe what was done");
        AttestedBy = by;
        AttestedAtUtc = atUtc;
        Status = DirectiveStatus.Done;
    }

    private static string Text(string? value, int min, string what)
    {
        var trimmed = (value ?? string.Empty).Trim();
        if (trimmed.Length < min)
        {
            throw new DomainException($"{what}, in at least {min} characters.");
        }

        if (trimmed.Length > MaxTextLength)
        {
            throw new DomainException($"{what}, in at most {MaxTextLength} characters.");
        }

        return trimmed;
    }
}
