using Microsoft.EntityFrameworkCore;
using Nehr.Core.Administration;
using System.Globalization;
using Nehr.Core.Audit;
using Nehr.Core.Contribution;
using Nehr.Core.Data;
using Microsoft.Extensions.Options;
using Nehr.Core.Representatives;

namespace Nehr.Core.Commands;

/// <summary>
/// The one way a change is written (and a read that must be audited, or that only some may make, is made). The
/// pipeline owns what every command shares: its database context, the write transaction, the actor loaded from
/// current data and checked, the audit events appended in that transaction, the commit, and the audited refusal.
/// A command body holds only its own rule and change.
/// </summary>
/// <remarks>
/// <para>The outcome has one shape: the body's value; a <see cref="DomainException"/> for input that breaks a rule
/// (by field when it names them: <see cref="DomainException.Errors"/>), which writes nothing; or an
/// <see cref="AccessRefusedException"/> for a refusal, thrown only after the refusal's audit event is committed
/// (and nothing else of the body is). Pages show both the same way (<c>CommandComponentBase</c>); the FHIR endpoint
/// maps them to statuses.</para>
/// <para>A body refuses with <c>throw command.Refuse(…)</c>: the compiler sees that the body ends there.</para>
/// </remarks>
public sealed class Commands(
    IDbContextFactory<NehrDbContext> dbFactory, AuditTrail audit, AuditAppender appender, TimeProvider clock,
    IOptionsMonitor<RepresentationOptions> representation, IOptionsMonitor<NehrDataOptions> data)
{
    /// <summary>A change by a member of staff who holds one of <paramref name="roles"/> now.</summary>
    internal Task<T> RunAsync<T>(
        AuditContext who, string action, IReadOnlyCollection<string> roles, Func<StaffCommand, Task<T>> body, CancellationToken cancellationToken) =>
        RunAsync(null, who, action, roles, body, cancellationToken);

    /// <summary>
    /// A change by a member of staff on a context the caller owns: the one a service of ASP.NET Core Identity (its
    /// UserManager) writes with, so that what it writes commits with the command.
    /// </summary>
    internal Task<T> RunAsync<T>(
        NehrDbContext? context, AuditContext who, string action, IReadOnlyCollection<string> roles, Func<StaffCommand, Task<T>> body,
        CancellationToken cancellationToken) =>
        WriteAsync(context, who, async (db, now) =>
        {
            // The actor's standing is checked under shared claims: a suspension or deactivation waits for this command.
            await StaffActor.ShareStandingAsync(db, who.UserId, cancellationToken);
            return new StaffCommand(this, db, who, action, now, await StaffActor.RequireAsync(db, who, action, now, roles, cancellationToken));
        }, body, cancellationToken);

    /// <inheritdoc cref="RunAsync{T}(AuditContext, string, IReadOnlyCollection{string}, Func{StaffCommand, Task{T}}, CancellationToken)"/>
    internal Task RunAsync(
        AuditContext who, string action, IReadOnlyCollection<string> roles, Func<StaffCommand, Task> body, CancellationToken cancellationToken) =>
        RunAsync(who, action, roles, async command =>
        {
            await body(command);
            return true;
        }, cancellationToken);

    /// <summary>
    /// A change whose body decides itself who may make it (a clinician's, by the access rules on current data); it
    /// refuses with <see cref="Command.Refuse(AuditEntry, string)"/>.
    /// </summary>
    internal Task<T> RunAsync<T>(AuditContext who, Func<Command, Task<T>> body, CancellationToken cancellationToken) =>
        RunAsync(null, who, body, cancellationToken);

    /// <summary>
    /// The same on a context the caller owns: the one ASP.NET Core Identity's UserManager writes with (a password
    /// reset, whose caller proves who they are with the link itself), so that what it writes commits with the command.
    /// </summary>
    internal Task<T> RunAsync<T>(NehrDbContext? context, AuditContext who, Func<Command, Task<T>> body, CancellationToken cancellationToken) =>
        WriteAsync(context, who, (db, now) => Task.FromResult<Command>(new DecidingCommand(this, db, who, now)), body, cancellationToken);

    /// <summary>
    /// A read of a record that is audited (the gate's). The body decides by the access rules and reads, in one snapshot
    /// of the database and without the write lock; it returns what it read and the read's audit entry. The entry then
    /// goes to the group commit (<see cref="AuditAppender"/>), and what was read leaves only once its event is durable.
    /// A read that also changes something (a provider's first access, told to the patient) returns that change, which
    /// commits with the event in a write transaction of its own. A refusal thrown by the body is audited alone.
    /// </summary>
    /// <remarks>
    /// The read is decided on its snapshot: a change committed while its event waits for a batch (a restriction, a
    /// suspension) applies from the next read on, as if it had come just after this one.
    /// </remarks>
    internal async Task<(T Value, AuditEvent Event)> ReadAuditedAsync<T>(
        AuditContext who, Func<NehrDbContext, DateTime, Task<AuditedRead<T>>> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(who);
        ArgumentNullException.ThrowIfNull(body);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        try
        {
            var now = clock.GetUtcNow().UtcDateTime;
            AuditedRead<T> read;
            await using (await db.BeginReadSnapshotAsync(cancellationToken))
            {
                read = await body(db, now);
            }

            if (read.Change is null && data.CurrentValue.GroupCommitReads)
            {
                return (read.Value, await appender.AppendAsync(read.Entry, cancellationToken));
            }

            return (read.Value, await CommitEventAsync(db, read.Entry, read.Change, audit, cancellationToken));
        }
        catch (CommandRefusal refusal)
        {
            throw await AuditRefusalAsync(db, refusal);
        }
    }

    /// <summary>
    /// A request of a contributing system: its connection is loaded from current data in the command's transaction and
    /// must be allowed to contribute now (a suspension applies at once); otherwise the request is refused, audited.
    /// </summary>
    internal Task<T> RunAsSystemAsync<T>(SystemCaller caller, Func<SystemCommand, Task<T>> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return WriteAsync(null, SystemCommand.WhoOf(caller), async (db, now) =>
        {
            // A suspension or revocation of the connection waits for this request, and no request commits after it.
            await db.ShareAsync(DataClaim.System(caller.SystemId), cancellationToken);
            return new SystemCommand(this, db, caller, now, await SystemCommand.RequireConnectionAsync(db, caller, cancellationToken));
        }, body, cancellationToken);
    }

    /// <summary>The caller's connection if it may contribute now, checked without the write lock; a refusal is audited.</summary>
    internal Task<SystemConnection> RequireSystemAsync(SystemCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return ReadWithAsync(db => SystemCommand.RequireConnectionAsync(db, caller, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// A change by a patient to their own record or settings, or by their representative while acting for them when
    /// the representation allows <paramref name="power"/> now (null: the person's own only); anyone else is refused.
    /// </summary>
    internal Task<T> RunAsPatientAsync<T>(
        AuditContext who, string action, RepresentativePowers? power, Func<PatientCommand, Task<T>> body, CancellationToken cancellationToken) =>
        WriteAsync(null, who, async (db, now) => new PatientCommand(this, db, who, action, now, await ClaimSubjectAsync(db, who, action, power, now, cancellationToken)), body, cancellationToken);

    /// <summary>
    /// Whose record a patient's change is about, claimed: every change of one patient's record, settings or
    /// representatives (and a representative's standing, a death) claims that patient, so they run one at a time. On
    /// PostgreSQL the subject is found, claimed, and checked again under the claim (the first check read before it).
    /// </summary>
    private async Task<PatientSubject> ClaimSubjectAsync(NehrDbContext db, AuditContext who, string action, RepresentativePowers? power, DateTime now, CancellationToken cancellationToken)
    {
        var subject = await SubjectAsync(db, who, action, power, now, cancellationToken);
        if (!db.Database.IsNpgsql())
        {
            return subject;
        }

        await db.ClaimAsync(DataClaim.Patient(subject.PatientId), cancellationToken);
        return await SubjectAsync(db, who, action, power, now, cancellationToken);
    }

    /// <summary>Whose record a patient's action is about, checked on current data (<see cref="PatientSelf"/>).</summary>
    internal Task<PatientSubject> SubjectAsync(NehrDbContext db, AuditContext who, string action, RepresentativePowers? power, DateTime now, CancellationToken cancellationToken) =>
        PatientSelf.RequireAsync(db, who, action, power, now, representation.CurrentValue.DeceasedReadDays, cancellationToken);

    /// <summary>
    /// A read only some may make, that writes nothing: no write transaction is held while it runs; a refusal is
    /// audited in a transaction of its own.
    /// </summary>
    internal Task<T> ReadAsync<T>(
        AuditContext who, string action, IReadOnlyCollection<string> roles, Func<StaffCommand, Task<T>> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(who);
        ArgumentNullException.ThrowIfNull(body);
        return ReadWithAsync(async db =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var actor = await StaffActor.RequireAsync(db, who, action, now, roles, cancellationToken);
            return await body(new StaffCommand(this, db, who, action, now, actor));
        }, cancellationToken);
    }

    /// <summary>A read only a patient may make, of their own record (or a representative's, allowed <paramref name="power"/>).</summary>
    internal Task<T> ReadAsPatientAsync<T>(
        AuditContext who, string action, RepresentativePowers? power, Func<PatientCommand, Task<T>> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(who);
        ArgumentNullException.ThrowIfNull(body);
        return ReadWithAsync(async db =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            return await body(new PatientCommand(this, db, who, action, now, await SubjectAsync(db, who, action, power, now, cancellationToken)));
        }, cancellationToken);
    }

    /// <summary>
    /// A read of a patient's data by their representative that must be audited (the patient sees in their history
    /// each time a representative looked): the body reads and appends its event, which commits before anything read
    /// leaves. The person's own reads go through <see cref="ReadAsPatientAsync{T}"/> unaudited.
    /// </summary>
    internal async Task<T> ReadAsPatientAuditedAsync<T>(
        AuditContext who, string action, RepresentativePowers power, Func<PatientCommand, Task<T>> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(who);
        if (who.RepresentationId is null)
        {
            return await ReadAsPatientAsync(who, action, power, body, cancellationToken);
        }

        return await RunAsPatientAsync(who, action, power, body, cancellationToken);
    }

    /// <summary>Every read's frame: a context of its own, no write transaction; a refusal audited in one of its own.</summary>
    private async Task<T> ReadWithAsync<T>(Func<NehrDbContext, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        try
        {
            return await read(db);
        }
        catch (CommandRefusal refusal)
        {
            throw await AuditRefusalAsync(db, refusal);
        }
    }

    /// <summary>
    /// The patient a read that streams is about (the caller's own, or the one they act for when allowed
    /// <paramref name="power"/>); anyone else is refused, audited. A representative's read is audited before it starts.
    /// </summary>
    internal Task<int> RequirePatientAsync(AuditContext who, string action, RepresentativePowers? power, CancellationToken cancellationToken) =>
        who.RepresentationId is not null && power is { } needed
            ? RunAsPatientAsync(who, action, needed, async command =>
            {
                await command.AuditAsync(AuditEventTypes.RepresentativeRead, $"read={action}");
                return command.PatientId;
            }, cancellationToken)
            : ReadAsPatientAsync(who, action, power, command => Task.FromResult(command.PatientId), cancellationToken);

    /// <summary>The checked actor, for a read that streams (anyone else is refused, audited).</summary>
    internal Task<StaffActor> RequireStaffAsync(AuditContext who, string action, IReadOnlyCollection<string> roles, CancellationToken cancellationToken) =>
        ReadAsync(who, action, roles, command => Task.FromResult(command.Actor), cancellationToken);

    private async Task<T> WriteAsync<TCommand, T>(
        NehrDbContext? context, AuditContext who, Func<NehrDbContext, DateTime, Task<TCommand>> begin, Func<TCommand, Task<T>> body,
        CancellationToken cancellationToken)
        where TCommand : Command
    {
        ArgumentNullException.ThrowIfNull(who);
        ArgumentNullException.ThrowIfNull(body);
        await using var own = context is null ? await dbFactory.CreateDbContextAsync(cancellationToken) : null;
        var db = context ?? own!;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                T result;
                await using (var transaction = await db.BeginWriteTransactionAsync(cancellationToken))
                {
                    // The actor is loaded and checked in the transaction that writes (on PostgreSQL under its claims):
                    // the check and the change see one state.
                    var command = await begin(db, clock.GetUtcNow().UtcDateTime);
                    result = await body(command);
                    await db.SaveChangesAsync(cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                }

                return result;
            }
            catch (CommandRefusal refusal)
            {
                // The body's changes were rolled back with its transaction; the refusal is written alone.
                throw await AuditRefusalAsync(db, refusal);
            }
            catch (Exception e) when (context is null && LostRace(db, e, attempt))
            {
                // Run again from the start: the check now sees what the winner committed.
                await AfterLostRaceAsync(db, attempt, cancellationToken);
            }
        }
    }

    /// <summary>How many times a write transaction that lost a race is run in all (<see cref="DatabaseTransactions.IsConflict"/>).</summary>
    internal const int Attempts = 5;

    /// <summary>Whether <paramref name="e"/> is a race lost to a concurrent transaction (PostgreSQL) that may be run again.</summary>
    private static bool LostRace(NehrDbContext db, Exception e, int attempt) =>
        attempt < Attempts && db.Database.IsNpgsql() && DatabaseTransactions.IsConflict(e);

    /// <summary>The context forgets what the lost attempt did; the next waits a moment, longer after each attempt.</summary>
    private static Task AfterLostRaceAsync(NehrDbContext db, int attempt, CancellationToken cancellationToken)
    {
        db.Forget();
        return Task.Delay(Random.Shared.Next(1, 4 << attempt), cancellationToken);
    }

    /// <summary>Appends an event in the command's transaction: it commits with the change, or not at all.</summary>
    internal Task<AuditEvent> AppendAsync(NehrDbContext db, AuditEntry entry, CancellationToken cancellationToken) => audit.AppendAsync(db, entry, cancellationToken);

    /// <summary>
    /// Writes the refusal's event alone. Not cancelled with the request: a caller that hangs up after being refused is
    /// still in the trail.
    /// </summary>
    private async Task<AccessRefusedException> AuditRefusalAsync(NehrDbContext db, CommandRefusal refusal)
    {
        await CommitEventAsync(db, refusal.Entry, null, audit, CancellationToken.None);
        return refusal.Text is { } text ? new AccessRefusedException(text) : new AccessRefusedException(refusal.Message);
    }

    /// <summary>
    /// Commits one event (and <paramref name="change"/>, if any) in a write transaction of its own, on a context
    /// cleared of whatever was read or attempted before.
    /// </summary>
    private static async Task<AuditEvent> CommitEventAsync(
        NehrDbContext db, AuditEntry entry, Func<NehrDbContext, CancellationToken, Task>? change, AuditTrail audit, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            db.Forget();
            try
            {
                await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
                var e = await audit.AppendAsync(db, entry, cancellationToken);
                if (change is not null)
                {
                    await change(db, cancellationToken);
                }

                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return e;
            }
            catch (Exception e) when (LostRace(db, e, attempt))
            {
                // A first access noted by another read of the same provider at the same time: this one finds it now.
                await AfterLostRaceAsync(db, attempt, cancellationToken);
            }
        }
    }
}

/// <summary>
/// What an audited read found (<see cref="Commands.ReadAuditedAsync{T}"/>): the value to return once its event is
/// durable, the event, and a change to commit with the event, if the read makes one.
/// </summary>
internal sealed record AuditedRead<T>(T Value, AuditEntry Entry, Func<NehrDbContext, CancellationToken, Task>? Change = null);

/// <summary>What a command body works with: the context in the command's transaction, the caller, the time.</summary>
internal abstract class Command
{
    private readonly Commands _pipeline;

    protected Command(Commands pipeline, NehrDbContext db, AuditContext who, string action, DateTime now)
    {
        _pipeline = pipeline;
        Db = db;
        Who = who;
        Action = action;
        Now = now;
    }

    internal NehrDbContext Db { get; }

    public AuditContext Who { get; }

    /// <summary>The command's name in the audit trail (e.g. <c>personnel.deactivate</c>).</summary>
    public string Action { get; }

    /// <summary>The command's time, read once from the portal's clock.</summary>
    public DateTime Now { get; }

    /// <summary>Appends an audit event in the command's transaction.</summary>
    internal Task<AuditEvent> AuditAsync(AuditEntry entry, CancellationToken cancellationToken = default) => _pipeline.AppendAsync(Db, entry, cancellationToken);

    /// <summary>
    /// Claims what this command's rule checks, for a change, until it commits (<see cref="DataClaim"/>); taken before
    /// the rule's data is read.
    /// </summary>
    internal Task ClaimAsync(DataClaim claim, CancellationToken cancellationToken = default) => Db.ClaimAsync(claim, cancellationToken);

    /// <inheritdoc cref="ClaimAsync(DataClaim, CancellationToken)"/>
    internal Task ClaimAsync(IEnumerable<DataClaim> claims, CancellationToken cancellationToken = default) => Db.ClaimAsync(claims, cancellationToken);

    /// <summary>The refusal of this command, audited with <paramref name="entry"/>, to throw: nothing else of the body is written.</summary>
    internal static Exception Refuse(AuditEntry entry, string message) => new CommandRefusal(entry, message);

    /// <summary>
    /// Writes what the body changed so far (e.g. to learn a new row's id for its audit event); the events appended are
    /// chained when the command commits.
    /// </summary>
    internal Task SaveAsync(CancellationToken cancellationToken = default) => Db.SaveWritesAsync(cancellationToken);
}

/// <summary>A command whose body decides who may make it.</summary>
internal sealed class DecidingCommand(Commands pipeline, NehrDbContext db, AuditContext who, DateTime now)
    : Command(pipeline, db, who, "decided by the command", now);

/// <summary>A command by a member of staff: <see cref="Actor"/> is loaded from current data and holds a required role.</summary>
internal sealed class StaffCommand : Command
{
    internal StaffCommand(Commands pipeline, NehrDbContext db, AuditContext who, string action, DateTime now, StaffActor actor)
        : base(pipeline, db, who, action, now) => Actor = actor;

    internal StaffActor Actor { get; }

    /// <summary>Appends the actor's event of this command.</summary>
    internal Task AuditAsync(string eventType, string details, int? patientId = null, CancellationToken cancellationToken = default) =>
        AuditAsync(Actor.Entry(eventType, Who, details, patientId), cancellationToken);

    /// <summary>The refusal of this command, to throw: the pipeline audits it (and nothing else of the body is written).</summary>
    internal Exception Refuse(string why, string message, int? patientId = null) =>
        new CommandRefusal(StaffActor.RefusalEntry(Who, Actor, Action, why, patientId), message);
}

/// <summary>
/// A patient's command about their record: <see cref="PatientId"/> is the caller's own, or, while they act under a
/// <see cref="Representation"/> that allows the command now, the represented patient's.
/// </summary>
internal sealed class PatientCommand : Command
{
    internal PatientCommand(Commands pipeline, NehrDbContext db, AuditContext who, string action, DateTime now, PatientSubject subject)
        : base(pipeline, db, who, action, now) => Subject = subject;

    public PatientSubject Subject { get; }

    public int PatientId => Subject.PatientId;

    /// <summary>The representation the caller acts under, or null when the record is their own.</summary>
    public Representation? Representation => Subject.Representation;

    /// <summary>
    /// Appends the event of this command about the patient's record. A representative's names both: the
    /// representative as the actor (role <c>Representative</c>), the patient as the subject, the representation in the details.
    /// </summary>
    internal Task<AuditEvent> AuditAsync(string eventType, string details, string? reason = null, CancellationToken cancellationToken = default) =>
        AuditAsync(new AuditEntry
        {
            EventType = eventType,
            CorrelationId = Who.CorrelationId,
            ActorUserId = Who.UserId,
            ActorRole = Representation is null ? Identity.Roles.Patient : PatientSelf.RepresentativeRole,
            ClientAddress = Who.ClientAddress,
            PatientId = PatientId,
            Reason = reason,
            Details = Representation is { } r
                ? string.Create(CultureInfo.InvariantCulture, $"{details}; representation={r.Id}; kind={r.Kind}; representative={Subject.OwnPatientId}")
                : details,
        }, cancellationToken);

    /// <summary>The refusal of this command, to throw: the pipeline audits it (and nothing else of the body is written).</summary>
    internal Exception Refuse(string why, string message) =>
        new CommandRefusal(StaffActor.RefusalEntry(Who, null, Action, why, PatientId), message);

    /// <summary>The refusal of this command, in the patient's language: the pipeline audits it (and nothing else of the body is written).</summary>
    internal Exception Refuse(string why, PatientMessage text) =>
        new CommandRefusal(StaffActor.RefusalEntry(Who, null, Action, why, PatientId), text);
}

/// <summary>A contributing system's request: <see cref="Connection"/> may contribute now.</summary>
internal sealed class SystemCommand : Command
{
    internal SystemCommand(Commands pipeline, NehrDbContext db, SystemCaller caller, DateTime now, SystemConnection connection)
        : base(pipeline, db, WhoOf(caller), "contribute", now)
    {
        Caller = caller;
        Connection = connection;
    }

    public SystemCaller Caller { get; }

    public SystemConnection Connection { get; }

    /// <summary>What a system's refusal tells it.</summary>
    public const string RefusalMessage = "This system may not contribute: its connection is suspended or revoked.";

    internal static AuditContext WhoOf(SystemCaller caller) => new(null, caller.ClientAddress, caller.CorrelationId);

    internal static async Task<SystemConnection> RequireConnectionAsync(NehrDbContext db, SystemCaller caller, CancellationToken cancellationToken)
    {
        var system = await db.SystemConnections.AsNoTracking().SingleOrDefaultAsync(s => s.Id == caller.SystemId, cancellationToken);
        return system is { MayContribute: true } ? system : throw new CommandRefusal(new AuditEntry
        {
            EventType = AuditEventTypes.ContributionRefused,
            CorrelationId = caller.CorrelationId,
            SystemId = system?.Id,
            ActorProviderId = system?.ProviderId,
            ClientAddress = caller.ClientAddress,
            Outcome = AuditOutcome.Denied,
            Details = string.Create(CultureInfo.InvariantCulture, $"system={caller.SystemId}; state={system?.State.ToString() ?? "unknown"}"),
        }, RefusalMessage);
    }
}

/// <summary>A refusal on its way to the pipeline, which audits it and throws <see cref="AccessRefusedException"/> instead.</summary>
internal sealed class CommandRefusal(AuditEntry entry, string message) : Exception(message)
{
    /// <summary>A refusal a patient may read, in their language.</summary>
    public CommandRefusal(AuditEntry entry, PatientMessage text) : this(entry, (text ?? throw new ArgumentNullException(nameof(text))).English) => Text = text;

    public AuditEntry Entry { get; } = entry;

    public PatientMessage? Text { get; }
}
