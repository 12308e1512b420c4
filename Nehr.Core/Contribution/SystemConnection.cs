namespace Nehr.Core.Contribution;

public enum ConnectionState
{
    Applied,
    Approved,
    Suspended,
    Revoked,
}

/// <summary>What a connected system sends.</summary>
public enum SystemKind
{
    /// <summary>A provider's system: clinical data, with the Patient of each person it files for.</summary>
    ProviderFeed,

    /// <summary>The population register: persons (demographics, deaths, NRIC/FIN changes); the authority on them.</summary>
    PopulationRegister,
}

/// <summary>The security items MOH checks before approving a connection.</summary>
[Flags]
public enum SecurityItem
{
    None = 0,
    TransportEncryption = 1,
    SecretStorage = 2,
    PenetrationTest = 4,
    AccessLogging = 8,
    SecurityContact = 16,
    All = TransportEncryption | SecretStorage | PenetrationTest | AccessLogging | SecurityContact,
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

    public SystemConnection(int providerId, string name, string appliedBy, DateTime appliedAtUtc, SystemKind kind = SystemKind.ProviderFeed)
    {
        if (!Enum.IsDefined(kind))
        {
            throw new DomainException("Unknown kind of system.");
        }

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
        Kind = kind;
    }

    public int Id { get; private set; }

    public int ProviderId { get; private set; }

    public string Name { get; private set; }

    /// <summary>A provider's feed, or the population register (decided by the applying organisation's type).</summary>
    public SystemKind Kind { get; private set; }

    public ConnectionState State { get; private set; }

    public string AppliedBy { get; private set; }

    public DateTime AppliedAtUtc { get; private set; }

    /// <summary>Hash of the one-time key the system uses for its connectivity test call (the key is shown once).</summary>
    public string? ConnectivityKeyHash { get; private set; }

    public DateTime? ConnectivityTestPassedAtUtc { get; private set; }

    /// <summary>The security items MOH has confirmed so far.</summary>
    public SecurityItem SecurityItems { get; private set; }

    public DateTime? SecurityChecklistCompletedAtUtc { get; private set; }

    /// <summary>When the state last changed after approval (suspension, reinstatement, revocation), and by whom.</summary>
    public DateTime? StateChangedAtUtc { get; private set; }

    public string? StateChangedBy { get; private set; }

    public DateTime? ApprovedAtUtc { get; private set; }

    public string? ApprovedBy { get; private set; }

    /// <summary>The OAuth client id issued at approval.</summary>
    public string? ClientId { get; private set; }

    /// <summary>Only the hash of the client secret is kept; the secret is shown once.</summary>
    public string? ClientSecretHash { get; private set; }

    public bool MayContribute => State == ConnectionState.Approved;

    public static string KindText(SystemKind kind) => kind == SystemKind.PopulationRegister ? "Population register" : "Provider feed";

    public static string SecurityItemText(SecurityItem item) => item switch
    {
        SecurityItem.TransportEncryption => "Connects over TLS 1.2 or later only",
        SecurityItem.SecretStorage => "Client secret kept in a secrets vault, never in source code",
        SecurityItem.PenetrationTest => "Penetration test within the last 12 months, findings closed",
        SecurityItem.AccessLogging => "Logs every call it makes to the NEHR, kept for 6 years",
        SecurityItem.SecurityContact => "Named security contact who answers within 24 hours",
        _ => item.ToString(),
    };

    public static IReadOnlyList<SecurityItem> Checklist { get; } =
        [SecurityItem.TransportEncryption, SecurityItem.SecretStorage, SecurityItem.PenetrationTest, SecurityItem.AccessLogging, SecurityItem.SecurityContact];

    /// <summary>Issues the key for the connectivity test (a new key replaces an unused old one).</summary>
    public void SetConnectivityKey(string keyHash)
    {
        EnsureState(ConnectionState.Applied, "A connectivity test key is issued while the application is open.");
        ArgumentException.ThrowIfNullOrWhiteSpace(keyHash);
        ConnectivityKeyHash = keyHash;
    }

    public void RecordConnectivityTestPassed(DateTime atUtc)
    {
        EnsureState(ConnectionState.Applied, "A connectivity test is recorded while the application is open.");
        ConnectivityTestPassedAtUtc = atUtc;
        ConnectivityKeyHash = null; // the key works once
    }

    /// <summary>Confirms (or withdraws) security items; the checklist is complete when every item is confirmed.</summary>
    public void SetSecurityItems(SecurityItem items, DateTime atUtc)
    {
        EnsureState(ConnectionState.Applied, "The security checklist is completed while the application is open.");
        if ((items & ~SecurityItem.All) != 0)
        {
            throw new DomainException("Unknown security item.");
        }

        SecurityItems = items;
        SecurityChecklistCompletedAtUtc = items == SecurityItem.All ? atUtc : null;
    }

    public void CompleteSecurityChecklist(DateTime atUtc) => SetSecurityItems(SecurityItem.All, atUtc);

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
        ConnectivityKeyHash = null;
        ApprovedBy = approvedBy;
        ApprovedAtUtc = atUtc;
        State = ConnectionState.Approved;
    }

    public void Suspend(string by, DateTime atUtc)
    {
        EnsureState(ConnectionState.Approved, "Only an approved connection can be suspended.");
        ChangeState(ConnectionState.Suspended, by, atUtc);
    }

    public void Reinstate(string by, DateTime atUtc)
    {
        EnsureState(ConnectionState.Suspended, "Only a suspended connection can be reinstated.");
        ChangeState(ConnectionState.Approved, by, atUtc);
    }

    public void Revoke(string by, DateTime atUtc)
    {
        if (State == ConnectionState.Revoked)
        {
            throw new DomainException("This connection is already revoked.");
        }

        ConnectivityKeyHash = null;
        ChangeState(ConnectionState.Revoked, by, atUtc);
    }

    private void ChangeState(ConnectionState state, string by, DateTime atUtc)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        State = state;
        StateChangedBy = by;
        StateChangedAtUtc = atUtc;
    }

    private void EnsureState(ConnectionState expected, string message)
    {
        if (State != expected)
        {
            throw new DomainException(message);
        }
    }
}
