using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Nehr.Core.Data;

/// <summary>
/// What a write transaction's rule depends on, named so that two transactions whose rules could break each other
/// wait for one another, and no others do. There is no lock for the whole database: a rule claims the narrowest thing
/// it checks (one patient, one member of staff, one provider, one system, one identifier), until its transaction ends.
/// </summary>
/// <remarks>
/// <para>On PostgreSQL a claim is a transaction advisory lock on <see cref="Key"/>: exclusive for a change of the thing,
/// shared for a check that must still hold when the transaction commits (an actor's standing). Several claims are taken
/// in one statement, in key order, so two transactions never wait for each other the wrong way round; if one still
/// does, the server ends it as a deadlock and the command pipeline runs it again.</para>
/// <para>On SQLite one writer holds the database for its whole transaction: every rule holds already, and a claim
/// costs nothing.</para>
/// <para>The rules and what they claim (exclusive unless said):</para>
/// <list type="bullet">
/// <item>the actor's standing, checked by the command pipeline: shared <see cref="Staff"/> and
/// <see cref="Provider"/> for staff; shared <see cref="System"/> for a contributing system; the subject patient (a
/// patient's own change, a representative's) — and exclusive by whoever changes that standing (a deactivation, a role,
/// a suspension of a person, of a provider, of a connection);</item>
/// <item>one patient's record and access: <see cref="Patient"/> for a restriction, an emergency override (one active
/// per clinician), a care registration (one current per provider), a representation, the register's changes of the
/// person, a first access told once (also a primary key);</item>
/// <item>a person's identifier: <see cref="Identifier"/> for finding or enrolling a person by NRIC/FIN (a provider's
/// bundle, the register, a first sign-in, a registration by an administrator);</item>
/// <item>a provider's roster (<see cref="Roster"/>) for accounts made and ended and the recertification that attests
/// them; one account per address (<see cref="Named"/>);</item>
/// <item>one thing of which there is one: the outbox's claiming of a batch, the alert scanner's batch, the signed
/// checkpoint, one directive's or one review's step (<see cref="Named"/>).</item>
/// </list>
/// <para>Rules a unique index says need no claim: one live entry per source identifier (a second bundle filing it for
/// someone else at the same moment fails on the index, runs again and is refused), one patient per NRIC/FIN, one
/// account per patient.</para>
/// <para>A claim is taken before the rule's data is read: under PostgreSQL's read committed, each statement sees what
/// was committed when it began, so a check read after the claim sees the last change of whoever held it.</para>
/// </remarks>
public readonly record struct DataClaim(long Key)
{
    private enum Kind : byte
    {
        Patient = 1,
        Provider = 3,
        System = 4,
        Identifier = 5,
        Named = 6,
        Staff = 7,
        Roster = 8,
    }

    /// <summary>Every change of one patient's record, settings or representatives.</summary>
    public static DataClaim Patient(int patientId) => Of(Kind.Patient, patientId);

    /// <summary>A member of staff's standing (active, professional role, NEHR access suspended).</summary>
    public static DataClaim Staff(int personnelId) => Of(Kind.Staff, personnelId);

    /// <summary>The set of a provider's active staff (accounts made and ended, the recertification that attests it).</summary>
    public static DataClaim Roster(int providerId) => Of(Kind.Roster, providerId);

    /// <summary>A provider's standing (suspension, onboarding, recertification).</summary>
    public static DataClaim Provider(int providerId) => Of(Kind.Provider, providerId);

    /// <summary>A contributing system's connection (suspension, revocation, secret).</summary>
    public static DataClaim System(int systemId) => Of(Kind.System, systemId);

    /// <summary>A person's identifier (NRIC/FIN) while a record is found or enrolled under it.</summary>
    public static DataClaim Identifier(string nric) => Of(Kind.Identifier, Hashed(nric));

    /// <summary>One thing of which there is one (a background job's position, a setting).</summary>
    public static DataClaim Named(string name) => Of(Kind.Named, Hashed(name));

    /// <summary>The kind in the top byte, the thing in the other 56 bits: distinct ids of one kind never share a key.</summary>
    private static DataClaim Of(Kind kind, long id) => new(((long)kind << 56) | (id & 0x00FF_FFFF_FFFF_FFFFL));

    private static long Hashed(string text)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return BitConverter.ToInt64(hash);
    }
}

public static class DataClaimExtensions
{
    /// <summary>Claims <paramref name="claims"/> for a change, until the transaction ends (<see cref="DataClaim"/>).</summary>
    public static Task ClaimAsync(this NehrDbContext db, IEnumerable<DataClaim> claims, CancellationToken cancellationToken = default) =>
        TakeAsync(db, claims, shared: false, cancellationToken);

    /// <inheritdoc cref="ClaimAsync(NehrDbContext, IEnumerable{DataClaim}, CancellationToken)"/>
    public static Task ClaimAsync(this NehrDbContext db, DataClaim claim, CancellationToken cancellationToken = default) =>
        TakeAsync(db, [claim], shared: false, cancellationToken);

    /// <summary>
    /// Claims <paramref name="claims"/> for a check that must still hold at commit: other checks share them; a change of
    /// the thing waits until this transaction ends, and this one waits for a change under way.
    /// </summary>
    public static Task ShareAsync(this NehrDbContext db, IEnumerable<DataClaim> claims, CancellationToken cancellationToken = default) =>
        TakeAsync(db, claims, shared: true, cancellationToken);

    /// <inheritdoc cref="ShareAsync(NehrDbContext, IEnumerable{DataClaim}, CancellationToken)"/>
    public static Task ShareAsync(this NehrDbContext db, DataClaim claim, CancellationToken cancellationToken = default) =>
        TakeAsync(db, [claim], shared: true, cancellationToken);

    private static async Task TakeAsync(NehrDbContext db, IEnumerable<DataClaim> claims, bool shared, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(claims);
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A claim lasts as long as its transaction: begin one first.");
        }

        if (!db.Database.IsNpgsql())
        {
            return;
        }

        var keys = claims.Select(c => c.Key).Distinct().Order().ToArray();
        if (keys.Length == 0)
        {
            return;
        }

        // In key order, one statement for all of them (unnest keeps the array's order).
        if (shared)
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock_shared(k) FROM unnest({keys}) AS k", cancellationToken);
        }
        else
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(k) FROM unnest({keys}) AS k", cancellationToken);
        }
    }
}
