using Nehr.Core.Access;
using Nehr.Core.Audit;

namespace Nehr.Core.Tests;

public class AuditChainTests
{
    private static readonly DateTime Start = new(2026, 11, 24, 0, 0, 0, DateTimeKind.Utc);

    private static AuditEvent NewEvent(Random random, int i) => new(new AuditEntry
    {
        EventType = random.Next(3) switch { 0 => AuditEventTypes.RecordRead, 1 => AuditEventTypes.RestrictionChanged, _ => AuditEventTypes.OverrideGranted },
        CorrelationId = $"c{i}",
        ActorUserId = $"user-{random.Next(20)}",
        ActorPersonnelId = random.Next(2) == 0 ? null : random.Next(1, 50),
        ActorProviderId = random.Next(1, 10),
        ActorRole = "Doctor",
        PatientId = random.Next(1, 1000),
        Level = (AccessLevel)random.Next(3),
        IsOverride = random.Next(10) == 0,
        Reason = "NoRestriction",
        Outcome = AuditOutcome.Success,
        ClientAddress = "127.0.0.1",
        Details = $"purpose=TREAT; n={i}",
    }, Start.AddMilliseconds(i * 37));

    /// <summary>A chain as the trail builds it, with its head and a checkpoint at its end.</summary>
    private static (List<AuditEvent> Events, AuditCheckpoint Checkpoint) Chain(Random random, int length)
    {
        var events = Events(random, length);
        return (events, new AuditCheckpoint(length, events[^1].Hash, Start));
    }

    private static List<AuditEvent> Events(Random random, int length)
    {
        var events = new List<AuditEvent>(length);
        var previous = string.Empty;
        for (var i = 1; i <= length; i++)
        {
            var e = NewEvent(random, i);
            var hash = AuditHasher.Hash(e, i, previous);
            e.Link(i, previous, hash);
            events.Add(e);
            previous = hash;
        }

        return events;
    }

    private static AuditVerification Verify(List<AuditEvent> events, long headSequence, string headHash, params AuditCheckpoint[] checkpoints) =>
        AuditChainVerifier.Verify(events, headSequence, headHash, checkpoints);

    /// <summary>Rewrites one stored field without recomputing the hash, as someone editing the table would.</summary>
    private static AuditEvent Edited(AuditEvent original, Random random)
    {
        var copy = new AuditEvent(new AuditEntry
        {
            EventType = original.EventType,
            CorrelationId = original.CorrelationId,
            ActorUserId = random.Next(2) == 0 ? "someone-else" : original.ActorUserId,
            ActorPersonnelId = original.ActorPersonnelId,
            ActorProviderId = original.ActorProviderId,
            ActorRole = original.ActorRole,
            PatientId = original.PatientId + 1,
            Level = original.Level,
            IsOverride = !original.IsOverride,
            Reason = original.Reason,
            Outcome = original.Outcome,
            ClientAddress = original.ClientAddress,
            Details = original.Details,
        }, original.OccurredAtUtc);
        copy.Link(original.Sequence, original.PreviousHash, original.Hash);
        return copy;
    }

    [Fact]
    public void Clean_chains_of_any_length_always_verify()
    {
        var random = new Random(1);
        for (var run = 0; run < 200; run++)
        {
            var events = Events(random, random.Next(0, 60));
            var checkpoints = events.Where(_ => random.Next(5) == 0).Select(e => new AuditCheckpoint(e.Sequence, e.Hash, Start)).ToArray();

            var result = events.Count == 0
                ? Verify(events, 0, string.Empty)
                : Verify(events, events[^1].Sequence, events[^1].Hash, checkpoints);

            Assert.True(result.Intact, result.Problem);
            Assert.Equal(events.Count, result.EventsChecked);
        }
    }

    [Fact]
    public void A_thousand_random_tamperings_are_all_detected()
    {
        var random = new Random(20261124);
        var detected = new Dictionary<string, int>();
        for (var run = 0; run < 1_000; run++)
        {
            var (events, checkpoint) = Chain(random, random.Next(3, 80));
            var headSequence = events[^1].Sequence;
            var headHash = events[^1].Hash;
            var kind = (run % 5) switch { 0 => "edit", 1 => "delete", 2 => "insert", 3 => "reorder", _ => "truncate" };
            var at = random.Next(events.Count);
            switch (kind)
            {
                case "edit":
                    events[at] = Edited(events[at], random);
                    break;
                case "delete":
                    events.RemoveAt(at);
                    break;
                case "insert":
                    // A forged event, correctly hashed onto the one before it, slipped in with the next number.
                    var previous = at == 0 ? string.Empty : events[at - 1].Hash;
                    var forged = NewEvent(random, 9_999);
                    forged.Link(at + 1, previous, AuditHasher.Hash(forged, at + 1, previous));
                    events.Insert(at, forged);
                    break;
                case "reorder":
                    var other = (at + 1 + random.Next(events.Count - 1)) % events.Count;
                    (events[at], events[other]) = (events[other], events[at]);
                    break;
                default:
                    // The tail is cut off and the head rewritten to match; the stored checkpoint still names the old end.
                    events.RemoveRange(at, events.Count - at);
                    headSequence = events.Count == 0 ? 0 : events[^1].Sequence;
                    headHash = events.Count == 0 ? string.Empty : events[^1].Hash;
                    break;
            }

            var result = Verify(events, headSequence, headHash, checkpoint);

            Assert.False(result.Intact, $"run {run}: {kind} at {at} of a chain was not detected");
            Assert.NotNull(result.FirstBrokenSequence);
            detected[kind] = detected.GetValueOrDefault(kind) + 1;
        }

        Assert.Equal(200, detected["edit"]);
        Assert.Equal(5, detected.Count);
    }

    [Fact]
    public void An_edit_is_reported_at_its_position()
    {
        var random = new Random(7);
        var (events, checkpoint) = Chain(random, 20);
        var head = events[^1];
        events[11] = Edited(events[11], random);

        var result = Verify(events, head.Sequence, head.Hash, checkpoint);

        Assert.Equal(12, result.FirstBrokenSequence);
        Assert.Equal(11, result.EventsChecked);
        Assert.Contains("changed", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deletion_is_reported_where_the_gap_starts()
    {
        var (events, checkpoint) = Chain(new Random(8), 20);
        var head = events[^1];
        events.RemoveAt(4);

        var result = Verify(events, head.Sequence, head.Hash, checkpoint);

        Assert.Equal(5, result.FirstBrokenSequence);
        Assert.Contains("missing", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cut_tail_is_caught_by_the_head_alone()
    {
        var (events, _) = Chain(new Random(9), 20);
        var head = events[^1];
        events.RemoveRange(15, 5);

        var result = Verify(events, head.Sequence, head.Hash);

        Assert.False(result.Intact);
        Assert.Equal(16, result.FirstBrokenSequence);
    }

    [Fact]
    public void A_fully_rewritten_chain_is_caught_by_an_earlier_checkpoint()
    {
        var random = new Random(10);
        var (events, _) = Chain(random, 30);
        var checkpointAt10 = new AuditCheckpoint(10, events[9].Hash, Start);

        // The attacker edits event 5 and recomputes every hash after it, head included.
        events[4] = Edited(events[4], random);
        var previous = events[3].Hash;
        foreach (var e in events.Skip(4))
        {
            var hash = AuditHasher.Hash(e, e.Sequence, previous);
            e.Link(e.Sequence, previous, hash);
            previous = hash;
        }

        Assert.True(Verify(events, 30, previous).Intact);
        var result = Verify(events, 30, previous, checkpointAt10);
        Assert.False(result.Intact);
        Assert.Equal(10, result.FirstBrokenSequence);
    }

    [Fact]
    public void A_walk_resumed_from_a_verified_point_checks_only_the_events_after_it()
    {
        var (events, _) = Chain(new Random(11), 30);
        var verifier = new AuditChainVerifier([], 20, events[19].Hash);
        foreach (var e in events.Skip(20))
        {
            Assert.True(verifier.Add(e));
        }

        var result = verifier.Complete(30, events[^1].Hash);

        Assert.True(result.Intact, result.Problem);
        Assert.Equal(10, result.EventsChecked);
        Assert.Equal((30L, events[^1].Hash), verifier.VerifiedThrough);
    }

    [Fact]
    public void A_walk_resumed_from_a_verified_point_finds_a_chain_recomputed_before_it()
    {
        var random = new Random(12);
        var (events, _) = Chain(random, 30);
        var verifiedHash = events[19].Hash;

        // Event 5 edited and every hash after it recomputed: event 21 no longer links to the hash verified at 20.
        events[4] = Edited(events[4], random);
        var previous = events[3].Hash;
        foreach (var e in events.Skip(4))
        {
            var hash = AuditHasher.Hash(e, e.Sequence, previous);
            e.Link(e.Sequence, previous, hash);
            previous = hash;
        }

        var result = AuditChainVerifierFrom(20, verifiedHash, events.Skip(20), 30, previous);

        Assert.False(result.Intact);
        Assert.Equal(21, result.FirstBrokenSequence);

        // With nothing appended since, the head no longer ends where the verified point did.
        Assert.False(AuditChainVerifierFrom(30, events[^1].Hash, [], 30, events[^1].Hash + "0").Intact);
    }

    private static AuditVerification AuditChainVerifierFrom(long through, string hash, IEnumerable<AuditEvent> events, long headSequence, string headHash)
    {
        var verifier = new AuditChainVerifier([], through, hash);
        foreach (var e in events)
        {
            if (!verifier.Add(e))
            {
                break;
            }
        }

        return verifier.Complete(headSequence, headHash);
    }

    [Fact]
    public void Event_times_are_kept_to_the_microsecond()
    {
        var e = new AuditEvent(new AuditEntry { EventType = "x", CorrelationId = "c" }, Start.AddTicks(123_456_789));

        Assert.Equal(0, e.OccurredAtUtc.Ticks % 10);
        Assert.Equal(DateTimeKind.Utc, e.OccurredAtUtc.Kind);
    }
}
