namespace Nehr.Core.Contribution;

public enum ConnectionState
{
    Applied,
    Approved,
    Suspended,
    Revoked,
}

/// <summary>
/// A provider's system that contributes data to the NEHR. It must pass a connectivity test and a security
/// checklist before MOH approves it; approval issues credentials; it can then be suspended, reinstated or revoked.
/// </summary>
public sealed class SystemConnection
{
    public const int MaxNameLength = 120;

    private SystemConnection()
    {
        Name = string.Empty;
        AppliedBy = string.Empty;
    }

    public SystemConnection(int providerId, string name, string appliedBy, DateTime appliedAtUtc)
    {
        if (providerId <= 0)
        {
            throw new DomainException("A system belongs to a provider.");
        }

        var trimmed = (name ?? string.Empty).Trim();
        if (trimmed.Length is 0 or > MaxNameLength)
        {
            throw new DomainException($"A system's name has 1 to {MaxNameLength} characters.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(appliedBy);
        ProviderId = providerId;
        Name = trimmed;
        AppliedBy = appliedBy;
        AppliedAtUtc = appliedAtUtc;
        State = ConnectionState.Applied;
    }

    public int Id { get; private set; }

    public int ProviderId { get; private set; }

    public string Name { get; private set; }

    public ConnectionState State { get; private set; }

    public string AppliedBy { get; private set; }

    public DateTime AppliedAtUtc { get; private set; }

    public DateTime? ConnectivityTestPassedAtUtc { get; private set; }

    public DateTime? SecurityChecklistCompletedAtUtc { get; private set; }

    public DateTime? ApprovedAtUtc { get; private set; }

    public string? ApprovedBy { get; private set; }

    /// <summary>The OAuth client id issued at approval.</summary>
    public string? ClientId { get; private set; }

    /// <summary>Only the hash of the client secret is kept; the secret is shown once.</summary>
    public string? ClientSecretHash { get; private set; }

    public bool MayContribute => State == ConnectionState.Approved;

    public void RecordConnectivityTestPassed(DateTime atUtc)
    {
        EnsureState(ConnectionState.Applied, "A connectivity test is recorded while the application is open.");
        ConnectivityTestPassedAtUtc = atUtc;
    }

    public void CompleteSecurityChecklist(DateTime atUtc)
    {
        EnsureState(ConnectionState.Applied, "The security checklist is completed while the application is open.");
        SecurityChecklistCompletedAtUtc = atUtc;
    }

    public void Approve(string clientId, string clientSecretHash, string approvedBy, DateTime atUtc)
    {
        EnsureState(ConnectionState.Applied, "Only an open application can be approved.");
        if (ConnectivityTestPassedAtUtc is null)
        {
            throw new DomainException("The system has not passed its connectivity test.");
        }

        if (SecurityChecklistCompletedAtUtc is null)
        {
            throw new DomainException("The security checklist is not complete.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(clientId);
        ArgumentException.ThrowIfNullOrWhiteSpace(clientSecretHash);
        ArgumentException.ThrowIfNullOrWhiteSpace(approvedBy);
        ClientId = clientId;
        ClientSecretHash = clientSecretHash;
        ApprovedBy = approvedBy;
        ApprovedAtUtc = atUtc;
        State = ConnectionState.Approved;
    }

    public void Suspend()
    {
        EnsureState(ConnectionState.Approved, "Only an approved connection can be suspended.");
        State = ConnectionState.Suspended;
    }

    public void Reinstate()
    {
        EnsureState(ConnectionState.Suspended, "Only a suspended connection can be reinstated.");
        State = ConnectionState.Approved;
    }

    public void Revoke()
    {
        if (State == ConnectionState.Revoked)
        {
            throw new DomainException("This connection is already revoked.");
        }

        State = ConnectionState.Revoked;
    }

    private void EnsureState(ConnectionState expected, string message)
    {
        if (State != expected)
        {
            throw new DomainException(message);
        }
    }
}
