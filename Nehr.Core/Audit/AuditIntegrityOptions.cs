using System.ComponentModel.DataAnnotations;

namespace Nehr.Core.Audit;

/// <summary>Settings of section "Nehr:Integrity": the scheduled verification of the audit chain and its signed checkpoints.</summary>
public sealed class AuditIntegrityOptions
{
    public const string Section = "Nehr:Integrity";

    /// <summary>Where a key is generated outside Production when <see cref="SigningKeyFile"/> is not set.</summary>
    public const string DevelopmentSigningKeyFile = "data/audit-checkpoint-signing.pem";

    /// <summary>How often the events appended since the last verification are verified (from 10 seconds to 1 day).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00", ErrorMessage = "Nehr:Integrity:VerifyEvery must be between 00:00:10 and 1.00:00:00 (10 seconds to a day).")]
    public TimeSpan VerifyEvery { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the whole trail and every checkpoint's signature are verified again (from 1 minute to 31 days; the command line's verification is always full).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "31.00:00:00", ErrorMessage = "Nehr:Integrity:FullVerifyEvery must be between 00:01:00 and 31.00:00:00 (a minute to 31 days).")]
    public TimeSpan FullVerifyEvery { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often the verified head is signed into the checkpoint log (from 10 seconds to 1 day).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00", ErrorMessage = "Nehr:Integrity:CheckpointEvery must be between 00:00:10 and 1.00:00:00 (10 seconds to a day).")]
    public TimeSpan CheckpointEvery { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The checkpoint log, one signed JSON line per checkpoint, relative to the portal's folder unless absolute. It
    /// belongs outside the database's host and backups (an append-only or write-once share); empty: no checkpoints
    /// (Production refuses that).
    /// </summary>
    public string CheckpointFile { get; set; } = string.Empty;

    /// <summary>
    /// The PEM private key (ECDSA P-256) that signs the checkpoints, relative to the portal's folder unless absolute;
    /// kept out of the database. Outside Production, when empty, one is generated into <see cref="DevelopmentSigningKeyFile"/>.
    /// </summary>
    public string SigningKeyFile { get; set; } = string.Empty;

    /// <summary>
    /// Keys that signed checkpoints before <see cref="SigningKeyFile"/> (after a rotation): PEM files, the public half
    /// is enough. They verify the lines they signed, those before the first line of the current key, and nothing after.
    /// </summary>
    public IList<string> RetiredKeyFiles { get; set; } = [];

    public bool WritesCheckpoints => !string.IsNullOrWhiteSpace(CheckpointFile);
}
