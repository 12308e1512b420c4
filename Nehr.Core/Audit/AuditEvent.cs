using Nehr.Core.Access;

namespace Nehr.Core.Audit;

public enum AuditOutcome
{
    Success,
    Denied,
    Failed,
}

/// <summary>
/// One audited action. Append-only: the product has no way to change or remove an event.
/// Events are chained: each carries the hash of the one before it.
/// </summary>
public sealed class AuditEvent
{
    private AuditEvent()
    {
        EventType = string.Empty;
        CorrelationId = string.Empty;
        PreviousHash = string.Empty;
        Hash = string.Empty;
    }

    public AuditEvent(AuditEntry entry, DateTime occurredAtUtc)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.EventType);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.CorrelationId);
        if (occurredAtUtc.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException("Audit times are UTC.", nameof(occurredAtUtc));
        }

        EventType = entry.EventType;
        // Whole microseconds: every supported database keeps them exactly, so the hash survives a round trip.
        OccurredAtUtc = new DateTime(occurredAtUtc.Ticks - occurredAtUtc.Ticks % 10, DateTimeKind.Utc);
        ActorUserId = entry.ActorUserId;
        ActorPersonnelId = entry.ActorPersonnelId;
        ActorProviderId = entry.ActorProviderId;
        ActorRole = entry.ActorRole;
        SystemId = entry.SystemId;
        PatientId = entry.PatientId;
        Level = entry.Level;
        IsOverride = entry.IsOverride;
        Reason = entry.Reason;
        Outcome = entry.Outcome;
        ClientAddress = entry.ClientAddress;
        CorrelationId = entry.CorrelationId;
        Details = entry.Details;
        PreviousHash = string.Empty;
        Hash = string.Empty;
    }

    /// <summary>
    /// The event's number in the whole trail: unique, and what reports, alerts and searches name an event by. Numbers
    /// rise over time but may skip (a number taken by a transaction that then failed is not used again), and events of
    /// different chains commit in no particular order of them: what was appended after what is <see cref="Position"/>
    /// in its <see cref="Chain"/>.
    /// </summary>
    public long Sequence { get; private set; }

    /// <summary>The hash chain the event is on (<see cref="AuditChainHead"/>; 1 is the trail's first and, by default, only chain).</summary>
    public int Chain { get; private set; }

    /// <summary>Position in its chain, from 1, without gaps.</summary>
    public long Position { get; private set; }

    public string EventType { get; private set; }

    public DateTime OccurredAtUtc { get; private set; }

    public string? ActorUserId { get; private set; }

    public int? ActorPersonnelId { get; private set; }

    public int? ActorProviderId { get; private set; }

    public string? ActorRole { get; private set; }

    /// <summary>The contributing system, for events of the contribution API.</summary>
    public int? SystemId { get; private set; }

    public int? PatientId { get; private set; }

    public AccessLevel? Level { get; private set; }

    public bool IsOverride { get; private set; }

    public string? Reason { get; private set; }

    public AuditOutcome Outcome { get; private set; }

    public string? ClientAddress { get; private set; }

    public string CorrelationId { get; private set; }

    public string? Details { get; private set; }

    /// <summary>Hex SHA-256 of the previous event ("" for the first).</summary>
    public string PreviousHash { get; private set; }

    /// <summary>Hex SHA-256 of this event's canonical form, which includes <see cref="PreviousHash"/>.</summary>
    public string Hash { get; private set; }

    /// <summary>Places the event on the first chain at <paramref name="sequence"/> (the trail as it was with one chain).</summary>
    internal void Link(long sequence, string previousHash, string hash) =>
        Link(sequence, AuditChainHead.FirstChain, sequence, previousHash, hash);

    internal void Link(long sequence, int chain, long position, string previousHash, string hash)
    {
        Sequence = sequence;
        Chain = chain;
        Position = position;
        PreviousHash = previousHash;
        Hash = hash;
    }
}

/// <summary>What the caller says about an action to be audited; the trail adds position and hashes, and the time unless given.</summary>
public sealed record AuditEntry
{
    /// <summary>
    /// When the action happened, if not at the append: a record read is decided on its snapshot and recorded when its
    /// batch commits a few milliseconds later; its event carries the moment of the decision, so that the trail's
    /// times say what the read saw (a change committed after that moment did not apply to it).
    /// </summary>
    public DateTime? OccurredAtUtc { get; init; }

    public required string EventType { get; init; }

    public required string CorrelationId { get; init; }

    public AuditOutcome Outcome { get; init; } = AuditOutcome.Success;

    public string? ActorUserId { get; init; }

    public int? ActorPersonnelId { get; init; }

    public int? ActorProviderId { get; init; }

    public string? ActorRole { get; init; }

    public int? SystemId { get; init; }

    public int? PatientId { get; init; }

    public AccessLevel? Level { get; init; }

    public bool IsOverride { get; init; }

    public string? Reason { get; init; }

    public string? ClientAddress { get; init; }

    public string? Details { get; init; }
}
