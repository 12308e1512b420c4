using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nehr.Core.Data;

namespace Nehr.Core.Audit;

/// <summary>
/// What one verification checked: every chain from where it was verified before (or from the start), the signed
/// checkpoints, and the finding.
/// </summary>
public sealed record IntegrityReport(
    AuditVerification Chain, bool Full, IReadOnlyDictionary<int, ChainPoint> From, IReadOnlyDictionary<int, ChainPoint> VerifiedThrough,
    int SignedCheckpoints, string? CheckpointFile, CheckpointLogPosition? Log)
{
    public bool Intact => Chain.Intact;

    /// <summary>Whether any chain has an event.</summary>
    public bool HasEvents => VerifiedThrough.Values.Any(p => p.Position > 0);

    /// <summary>One line for an operator: what was checked, and the break if there is one.</summary>
    public string Describe()
    {
        var what = Full ? "whole trail" : "events since the last verification";
        var checkpoints = CheckpointFile is null
            ? "no checkpoint log configured (Nehr:Integrity:CheckpointFile)"
            : $"{SignedCheckpoints:N0} signed checkpoints in {CheckpointFile}";
        var chains = VerifiedThrough.Count == 1 ? "1 chain" : $"{VerifiedThrough.Count} chains";
        return Intact
            ? string.Create(CultureInfo.InvariantCulture, $"intact: {what}, {Chain.EventsChecked:N0} events verified on {chains} ({string.Join(", ", VerifiedThrough.OrderBy(c => c.Key).Select(c => $"chain {c.Key} to {c.Value.Position:N0}"))}), {checkpoints}.")
            : string.Create(CultureInfo.InvariantCulture, $"BROKEN at {Chain.BrokenAt}: {Chain.Problem} ({what}, {Chain.EventsChecked:N0} events checked; {checkpoints}).");
    }
}

/// <summary>
/// The audit trail's integrity beyond its own hash chain. The chain proves that no event was changed, removed or
/// inserted, unless whoever changed one recomputed every hash after it (anyone who can write the database can). So the
/// verified head is signed, at an interval, into a log kept outside the database (<see cref="CheckpointLog"/>,
/// <see cref="AuditIntegrityOptions.CheckpointFile"/>) with a key that is not in the database either; every
/// verification checks the chain against those checkpoints: a rewritten chain no longer has the signed hashes. The
/// database keeps a copy of each checkpoint (<see cref="AuditCheckpoint"/>), so a log cut short or removed is noticed.
/// A break is a critical alarm: logged at Critical and appended to the trail as <see cref="AuditEventTypes.ChainBreakDetected"/>.
/// </summary>
/// <remarks>
/// Verifications are incremental: from the last point verified (its sequence and hash; after a restart, the last signed
/// checkpoint) to the head, and the log's new lines only. A full one (every event, every signature) runs every
/// <see cref="AuditIntegrityOptions.FullVerifyEvery"/>, and from the command line.
/// </remarks>
public sealed class AuditIntegrity(
    IDbContextFactory<NehrDbContext> contexts, AuditTrail trail, IOptions<AuditIntegrityOptions> options, IHostEnvironment environment,
    TimeProvider clock, ILogger<AuditIntegrity> logger) : IDisposable
{
    /// <summary>What writing a checkpoint or an alarm claims (<see cref="DataClaim"/>): one instance at a time.</summary>
    internal static readonly DataClaim CheckpointClaim = DataClaim.Named("audit-checkpoint");

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _signerLock = new();
    private CheckpointKeyRing? _keys;
    private Verified? _verified;

    /// <summary>The last verification's report (null before the first).</summary>
    public IntegrityReport? Last { get; private set; }

    /// <summary>The checkpoint log's full path, or null when none is configured.</summary>
    public string? CheckpointFile => options.Value.WritesCheckpoints ? Path.Combine(environment.ContentRootPath, options.Value.CheckpointFile) : null;

    /// <summary>The key that signs and verifies the checkpoints, loaded (or, outside Production, generated) on first use.</summary>
    public CheckpointSigner Signer => Keys.Current;

    /// <summary>The signing key and the retired ones (<see cref="AuditIntegrityOptions.RetiredKeyFiles"/>), which verify the checkpoints they signed.</summary>
    public CheckpointKeyRing Keys
    {
        get
        {
            lock (_signerLock)
            {
                return _keys ??= new CheckpointKeyRing(LoadSigner(), LoadRetired());
            }
        }
    }

    /// <summary>
    /// Verifies the trail (incrementally from the last verified point, or <paramref name="full"/>y) against its head and
    /// the signed checkpoints; a break raises the alarm. The first incremental verification of a portal starts at the
    /// last signed checkpoint, or is full when there is none.
    /// </summary>
    public async Task<IntegrityReport> VerifyAsync(bool full, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await VerifyLockedAsync(full, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Verifies the whole of a given database against the checkpoint log, and only reports (the command line, a backup's copy).</summary>
    public Task<IntegrityReport> VerifyOnlyAsync(NehrDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        return VerifyAsync(db, null, cancellationToken);
    }

    /// <summary>
    /// Verifies the events appended since the last verification and, when intact, signs the verified heads of every
    /// chain (with the roots of their Merkle trees) into the checkpoint log and records them in the database. Null when
    /// there is no log, nothing new, or the trail is broken.
    /// </summary>
    public async Task<SignedCheckpoint?> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        if (CheckpointFile is not { } file)
        {
            return null;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var report = await VerifyLockedAsync(full: false, cancellationToken);
            if (!report.Intact || !report.HasEvents)
            {
                return null;
            }

            var heads = report.VerifiedThrough.OrderBy(c => c.Key)
                .Select(c => new SignedHead(c.Key, c.Value.Position, c.Value.Hash, Convert.ToHexStringLower(c.Value.Tree!.Root())))
                .ToList();
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);

            // The checkpoint's claim orders the checkpoints of several portal instances sharing one log: the log is
            // read, appended to and its copy committed by one instance at a time.
            await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
            await db.ClaimAsync(CheckpointClaim, cancellationToken);
            var lines = await ReadLinesAsync(file, cancellationToken);
            var last = lines.Count == 0 ? null : lines[^1];

            // The log as it is now, under the claim: a line this instance cannot verify (another instance's, signed
            // with a key it does not know: a key rotated on one instance and not yet on this one) or cannot read is
            // never chained onto; the verification reports it. Then only heads past the last signed ones are signed.
            var reading = CheckpointLog.Read(lines, Keys, _verified?.Log);
            if (!reading.Intact || (last is not null && !GoesOn(reading.Checkpoints[^1], heads)))
            {
                return null;
            }

            var now = clock.GetUtcNow().UtcDateTime;
            var line = CheckpointLog.Line(last, lines.Count + 1, heads, now, Signer);
            await AppendLineAsync(file, line, cancellationToken);
            // The points of these heads already recorded (a chain that has not moved since the last checkpoint), not
            // every point ever recorded.
            var (chains, positions) = (heads.Select(h => h.Chain).ToList(), heads.Select(h => h.Position).ToList());
            var recorded = (await db.AuditCheckpoints.AsNoTracking().Where(c => chains.Contains(c.Chain) && positions.Contains(c.Position))
                .Select(c => new { c.Chain, c.Position }).ToListAsync(cancellationToken)).ToHashSet();
            foreach (var head in heads.Where(h => h.Position > 0 && !recorded.Contains(new { h.Chain, h.Position })))
            {
                db.AuditCheckpoints.Add(new AuditCheckpoint(head.Chain, head.Position, head.Hash, now, head.Root, report.VerifiedThrough[head.Chain].Tree!.ToString()));
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);

            // The line just signed is verified: the next incremental walk of the log starts after it.
            if (_verified is { } verified && verified.Log is { } position && position.Lines == lines.Count
                && string.Equals(position.LastLineHash, last is null ? string.Empty : CheckpointLog.LineHash(last), StringComparison.Ordinal))
            {
                _verified = verified with { Log = new CheckpointLogPosition(lines.Count + 1, CheckpointLog.LineHash(line)) };
            }

            var signed = CheckpointLog.TryParse(line, out var written) ? written
                : throw new InvalidOperationException("A checkpoint just written could not be read back.");
            logger.LogInformation("Audit checkpoint {Index} signed over the heads of the trail's {Chains} chain(s) into {File}.", signed.Index, signed.Size, file);
            return signed;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The proof that event <paramref name="sequence"/> is in the signed log (<see cref="InclusionProof"/>), against
    /// the first signed checkpoint whose head of the event's chain is at or after it (the smallest tree to hash). A
    /// <see cref="DomainException"/> saying why when there is none: no such event, no checkpoint log, the event not
    /// signed yet, or a log or chain that does not hold (then the trail is broken, and its verification says where).
    /// </summary>
    public async Task<InclusionProof> ProveAsync(long sequence, CancellationToken cancellationToken = default)
    {
        try
        {
            return await BuildProofAsync(sequence, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
        {
            throw new DomainException($"No proof can be built: {e.Message}", e);
        }
    }

    private async Task<InclusionProof> BuildProofAsync(long sequence, CancellationToken cancellationToken)
    {
        if (CheckpointFile is not { } file)
        {
            throw new DomainException($"No checkpoint log is configured ({AuditIntegrityOptions.Section}:CheckpointFile): there is no signed log to prove an event in.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var e = await db.AuditEvents.AsNoTracking().SingleOrDefaultAsync(e => e.Sequence == sequence, cancellationToken)
            ?? throw new DomainException(string.Create(CultureInfo.InvariantCulture, $"There is no audit event {sequence:N0}."));
        var lines = await ReadLinesAsync(file, cancellationToken);
        var reading = CheckpointLog.Read(lines, Keys);
        if (!reading.Intact)
        {
            throw new DomainException($"The checkpoint log does not verify ({reading.Problem}): no proof can rest on it. Verify the audit trail.");
        }

        var index = reading.Checkpoints.ToList().FindIndex(c => c.Root is not null && c.Head(e.Chain) is { } h && h.Position >= e.Position);
        if (index < 0)
        {
            throw new DomainException(string.Create(CultureInfo.InvariantCulture,
                $"Event {sequence:N0} is not in a signed checkpoint yet: a checkpoint is signed every {LocalTime.Duration(options.Value.CheckpointEvery)} (the next one will hold it)."));
        }

        var checkpoint = reading.Checkpoints[index];
        var head = checkpoint.Head(e.Chain)!;
        var chain = e.Chain;
        var size = head.Position;
        var leaves = db.AuditEvents.AsNoTracking().Where(x => x.Chain == chain && x.Position <= size).OrderBy(x => x.Position)
            .Select(x => x.Hash).AsAsyncEnumerable().Select(hash => MerkleTree.LeafHash(Convert.FromHexString(hash)));
        IReadOnlyList<byte[]> chainPath;
        try
        {
            chainPath = await MerkleTree.InclusionProofAsync(e.Position - 1, size, leaves, cancellationToken);
        }
        catch (ArgumentException)
        {
            throw new DomainException($"Chain {chain} has fewer events than checkpoint {checkpoint.Index} signed: the trail is broken. Verify it.");
        }

        var headPath = MerkleTree.InclusionProof(chain - 1, checkpoint.Size, checkpoint.Heads.Select(SignedCheckpoint.LeafOf));
        var proof = new InclusionProof(e.Sequence, chain, e.Position, e.Hash, [.. chainPath.Select(Convert.ToHexStringLower)], head,
            [.. headPath.Select(Convert.ToHexStringLower)], lines[index]);
        return proof.Check(Keys.Find(checkpoint.KeyId)!, e) is { } problem
            ? throw new DomainException($"The proof of event {sequence:N0} does not hold ({problem}): the trail is broken. Verify it.")
            : proof;
    }

    /// <summary>
    /// Whether heads verified now go on from the last signed checkpoint: no chain behind it and one at least ahead (or a
    /// chain it did not name). Another instance may have signed a later point already.
    /// </summary>
    private static bool GoesOn(SignedCheckpoint last, IReadOnlyList<SignedHead> heads)
    {
        var ahead = last.Root is null;
        foreach (var head in heads)
        {
            if (last.Head(head.Chain) is not { } signed)
            {
                ahead = true;
                continue;
            }

            if (head.Position < signed.Position)
            {
                return false;
            }

            ahead |= head.Position > signed.Position;
        }

        return ahead && last.Heads.All(h => heads.Any(x => x.Chain == h.Chain));
    }

    /// <summary>
    /// What a break's event says, machine-readable: <c>severity=critical; sequence=…; reason=…</c>, the event's number;
    /// with <c>chain=…; position=…</c> too where that is not the first chain at the position of its number (only the
    /// place when no event is there, e.g. events removed from the end).
    /// </summary>
    public static string AlarmDetails(AuditVerification broken)
    {
        ArgumentNullException.ThrowIfNull(broken);
        var reason = (broken.Problem ?? "unknown").Replace(';', ',');
        var chain = broken.BrokenChain ?? AuditChainHead.FirstChain;
        var where = broken.BrokenSequence is { } number
            ? number == broken.FirstBrokenSequence && chain == AuditChainHead.FirstChain
                ? $"sequence={number}; "
                : $"sequence={number}; chain={chain}; position={broken.FirstBrokenSequence}; "
            : $"chain={chain}; position={broken.FirstBrokenSequence}; ";
        return string.Create(CultureInfo.InvariantCulture, $"severity=critical; {where}reason={reason}");
    }

    public void Dispose()
    {
        _gate.Dispose();
        if (_keys is { } keys)
        {
            keys.Current.Dispose();
            foreach (var retired in keys.Retired)
            {
                retired.Dispose();
            }
        }
    }

    private async Task<IntegrityReport> VerifyLockedAsync(bool full, CancellationToken cancellationToken)
    {
        IntegrityReport report;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            report = await VerifyAsync(db, full ? null : _verified ?? await LastSignedAsync(cancellationToken), cancellationToken);
        }

        Last = report;
        if (report.Intact)
        {
            _verified = new Verified(report.VerifiedThrough, report.Log);
        }
        else
        {
            await RaiseAsync(report.Chain, cancellationToken);
        }

        return report;
    }

    /// <summary>
    /// Where an incremental verification of a portal that has not verified anything yet starts: the last signed
    /// checkpoint (only verified heads are signed, and the signature shows they are the ones verified), when the log is
    /// intact and the database keeps each chain's Merkle tree there, which must give the signed root; otherwise
    /// nowhere (the verification is then full).
    /// </summary>
    private async Task<Verified?> LastSignedAsync(CancellationToken cancellationToken)
    {
        if (CheckpointFile is not { } file)
        {
            return null;
        }

        var reading = CheckpointLog.Read(await ReadLinesAsync(file, cancellationToken), Keys);
        if (reading is not { Intact: true, Checkpoints: [.., { Root: not null } last] })
        {
            return null;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var chains = new Dictionary<int, ChainPoint>();
        foreach (var head in last.Heads)
        {
            if (head.Position == 0)
            {
                chains[head.Chain] = new ChainPoint(0, string.Empty, new MerkleFrontier());
                continue;
            }

            var copy = await db.AuditCheckpoints.AsNoTracking().SingleOrDefaultAsync(c => c.Chain == head.Chain && c.Position == head.Position, cancellationToken);
            if (copy is null || !MerkleFrontier.TryParse(copy.Frontier, out var tree) || tree.Size != head.Position
                || !string.Equals(Convert.ToHexStringLower(tree.Root()), head.Root, StringComparison.Ordinal))
            {
                return null;
            }

            chains[head.Chain] = new ChainPoint(head.Position, head.Hash, tree);
        }

        return new Verified(chains, reading.Position);
    }

    private async Task<IntegrityReport> VerifyAsync(NehrDbContext db, Verified? from, CancellationToken cancellationToken)
    {
        var file = CheckpointFile;
        var fromChains = from?.Chains ?? new Dictionary<int, ChainPoint>();

        // The log is read before the database's snapshot (so every checkpoint it holds names an event the snapshot
        // has) and again after it (so it holds every checkpoint the snapshot's copies name: a line is appended before
        // its copy commits). The log only grows between the two reads.
        var before = file is null ? 0 : (await ReadLinesAsync(file, cancellationToken)).Count;
        await using var snapshot = await db.BeginReadSnapshotAsync(cancellationToken);
        var heads = await db.AuditChainHeads.AsNoTracking().OrderBy(h => h.Id).ToListAsync(cancellationToken);
        var stored = await db.AuditCheckpoints.AsNoTracking().ToListAsync(cancellationToken);
        IReadOnlyList<AuditCheckpoint> checkpoints = stored;
        CheckpointLogPosition? position = null;
        var signedCount = 0;
        IntegrityReport Broken(long at, int? chain, string problem, long? number = null) =>
            new(AuditVerification.Broken(0, at, problem, chain) with { BrokenSequence = number }, from is null, fromChains, fromChains, signedCount, file, null);

        if (file is not null)
        {
            var reading = CheckpointLog.Read(await ReadLinesAsync(file, cancellationToken), Keys, from?.Log);
            if (!reading.Intact)
            {
                return Broken(reading.BrokenNearSequence ?? 1, null, reading.Problem!);
            }

            if (reading.Checkpoints.Count < before)
            {
                return Broken(1, null, $"the checkpoint log had {before} checkpoints and then {reading.Checkpoints.Count}: checkpoints were removed while it was verified");
            }

            signedCount = reading.Checkpoints.Count;
            var signed = reading.Checkpoints.SelectMany(c => c.Heads).Where(h => h.Position > 0)
                .DistinctBy(h => (h.Chain, h.Position)).ToDictionary(h => (h.Chain, h.Position));
            foreach (var copy in stored)
            {
                var where = copy.Chain == AuditChainHead.FirstChain ? $"sequence {copy.Position}" : $"position {copy.Position} of chain {copy.Chain}";
                if (!signed.TryGetValue((copy.Chain, copy.Position), out var head))
                {
                    return Broken(copy.Position, copy.Chain, $"the checkpoint signed at {where} is missing from the checkpoint log: checkpoints were removed from it, or the log was replaced");
                }

                if (!string.Equals(head.Hash, copy.Hash, StringComparison.Ordinal))
                {
                    var number = await db.AuditEvents.AsNoTracking().Where(e => e.Chain == copy.Chain && e.Position == copy.Position)
                        .Select(e => (long?)e.Sequence).FirstOrDefaultAsync(cancellationToken);
                    return Broken(copy.Position, copy.Chain, $"the database's copy of the checkpoint at {where} differs from the signed checkpoint", number);
                }
            }

            checkpoints = [.. reading.Checkpoints.Take(before).SelectMany(c => c.Heads).Where(h => h.Position > 0)
                .Select(h => new AuditCheckpoint(h.Chain, h.Position, h.Hash, DateTime.UnixEpoch, h.Root, null))];
            position = reading.Position;
        }

        var result = await AuditChainVerifier.VerifyChainsAsync(db, heads, checkpoints, fromChains, cancellationToken, keepTrees: file is not null);
        return new IntegrityReport(result.Result, from is null, fromChains, result.VerifiedThrough, signedCount, file, position);
    }

    /// <summary>A critical log every time; an audit event once per break (the last one recorded is not recorded again).</summary>
    private async Task RaiseAsync(AuditVerification broken, CancellationToken cancellationToken)
    {
        logger.LogCritical("The audit trail is broken at {Where}: {Problem}", broken.BrokenAt, broken.Problem);
        var details = AlarmDetails(broken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
        await db.ClaimAsync(CheckpointClaim, cancellationToken);
        var lastRaised = await db.AuditEvents.AsNoTracking()
            .Where(e => e.EventType == AuditEventTypes.ChainBreakDetected)
            .OrderByDescending(e => e.Sequence)
            .Select(e => e.Details)
            .FirstOrDefaultAsync(cancellationToken);
        if (string.Equals(lastRaised, details, StringComparison.Ordinal))
        {
            return;
        }

        await trail.AppendAsync(db, new AuditEntry
        {
            EventType = AuditEventTypes.ChainBreakDetected,
            CorrelationId = Guid.NewGuid().ToString("N"),
            Outcome = AuditOutcome.Failed,
            Details = details,
        }, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<IReadOnlyList<string>> ReadLinesAsync(string file, CancellationToken cancellationToken)
    {
        if (!File.Exists(file))
        {
            return [];
        }

        var text = await File.ReadAllTextAsync(file, Encoding.UTF8, cancellationToken);
        var lines = text.Split('\n');
        return lines[^1].Length == 0 ? lines[..^1] : lines;
    }

    private static async Task AppendLineAsync(string file, string line, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await using var stream = new FileStream(file, new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read });
        await stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), cancellationToken);
        stream.Flush(flushToDisk: true);
    }

    private CheckpointSigner LoadSigner()
    {
        var setting = options.Value.SigningKeyFile;
        if (string.IsNullOrWhiteSpace(setting))
        {
            if (environment.IsProduction())
            {
                throw new InvalidOperationException($"{AuditIntegrityOptions.Section}:SigningKeyFile is not set: the audit checkpoints need a signing key kept outside the database.");
            }

            setting = AuditIntegrityOptions.DevelopmentSigningKeyFile;
            GenerateKeyIfMissing(Path.Combine(environment.ContentRootPath, setting));
        }

        var path = Path.Combine(environment.ContentRootPath, setting);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{AuditIntegrityOptions.Section}:SigningKeyFile names {path}, which does not exist.");
        }

        return CheckpointSigner.FromPem(File.ReadAllText(path), path);
    }

    /// <summary>The retired keys' files (public or private PEM), each named in the error when it cannot be read.</summary>
    private List<CheckpointSigner> LoadRetired()
    {
        var keys = new List<CheckpointSigner>();
        foreach (var setting in options.Value.RetiredKeyFiles.Where(f => !string.IsNullOrWhiteSpace(f)))
        {
            var path = Path.Combine(environment.ContentRootPath, setting);
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"{AuditIntegrityOptions.Section}:RetiredKeyFiles names {path}, which does not exist.");
            }

            var pem = File.ReadAllText(path);
            keys.Add(pem.Contains("PRIVATE KEY", StringComparison.Ordinal) ? CheckpointSigner.FromPem(pem, path) : CheckpointSigner.FromPublicPem(pem, path));
        }

        return keys;
    }

    private static void GenerateKeyIfMissing(string path)
    {
        if (File.Exists(path))
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // readable by the portal's user only
            }

            using var stream = new FileStream(path, create);
            stream.Write(Encoding.ASCII.GetBytes(CheckpointSigner.NewKeyPem()));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another portal (a test's second instance) wrote it first: use theirs.
        }
    }
}

/// <summary>
/// Runs <see cref="AuditIntegrity"/> on a schedule: at start, the events since the last signed checkpoint (the whole
/// trail when there is none) and a checkpoint; then every <see cref="AuditIntegrityOptions.VerifyEvery"/> the new
/// events, the whole trail and every signature every <see cref="AuditIntegrityOptions.FullVerifyEvery"/>, and a
/// signed checkpoint every <see cref="AuditIntegrityOptions.CheckpointEvery"/>. (Not a full verification at every
/// start: on a national trail of ten million events that is minutes of a core, at each restart of each instance.)
/// </summary>
public sealed class AuditIntegrityService(
    AuditIntegrity integrity, IOptions<AuditIntegrityOptions> options, TimeProvider clock, ILogger<AuditIntegrityService> logger) : BackgroundService
{
    private readonly TaskCompletionSource _scheduled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Done once the verification at start has run and the interval's timer is set (what the next tick counts from).</summary>
    public Task Scheduled => _scheduled.Task;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // A checkpoint key that cannot be read stops the start, naming the setting, rather than the first checkpoint.
        if (options.Value.WritesCheckpoints)
        {
            _ = integrity.Keys;
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var settings = options.Value;
        // The first scheduled run after a start walks the whole trail: an instance restarted more often than
        // FullVerifyEvery would otherwise never do so, and an edit before the last checkpoint would go unseen.
        var lastFull = DateTimeOffset.MinValue;
        var lastCheckpoint = clock.GetUtcNow();
        await RunAsync(full: false, checkpoint: true, stoppingToken);
        using var timer = new PeriodicTimer(settings.VerifyEvery, clock);
        _scheduled.TrySetResult();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = clock.GetUtcNow();
                var full = now - lastFull >= settings.FullVerifyEvery;
                var checkpoint = now - lastCheckpoint >= settings.CheckpointEvery;
                await RunAsync(full, checkpoint, stoppingToken);
                lastFull = full ? now : lastFull;
                lastCheckpoint = checkpoint ? now : lastCheckpoint;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunAsync(bool full, bool checkpoint, CancellationToken cancellationToken)
    {
        try
        {
            var report = await integrity.VerifyAsync(full, cancellationToken);
            if (report.Intact && checkpoint)
            {
                await integrity.CheckpointAsync(cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Tried again at the next interval: an exception out of a background service would stop the whole portal.
            logger.LogError(e, "The audit trail could not be verified or checkpointed; trying again at the next interval.");
        }
    }
}

public static class AuditIntegrityServiceCollectionExtensions
{
    /// <summary>The scheduled verification of the audit trail and its signed checkpoints (settings "Nehr:Integrity", validated at start).</summary>
    public static IServiceCollection AddNehrAuditIntegrity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuditIntegrityOptions>()
            .Bind(configuration.GetSection(AuditIntegrityOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.FullVerifyEvery >= o.VerifyEvery, $"{AuditIntegrityOptions.Section}:FullVerifyEvery must not be shorter than VerifyEvery.")
            .ValidateOnStart();
        services.AddSingleton<AuditIntegrity>();
        services.AddHostedService<AuditIntegrityService>();
        return services;
    }
}

/// <summary>Where a portal's verification reached: each chain's point, and the checkpoint log's.</summary>
internal sealed record Verified(IReadOnlyDictionary<int, ChainPoint> Chains, CheckpointLogPosition? Log);
