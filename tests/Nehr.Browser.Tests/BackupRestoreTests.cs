using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Audit;
using Nehr.Core.Data;

namespace Nehr.Browser.Tests;

/// <summary>
/// The operator's commands on the real portal's database (issue 17): an online backup taken while four systems write,
/// the portal then killed, the backup restored and started; verify-audit on the copy, and on a tampered one.
/// (In the portal collection: it runs alone, not beside the browser journeys.)
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class BackupRestoreTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A_backup_under_load_restores_to_a_consistent_database_whose_chain_verifies_and_tampering_is_found()
    {
        var live = NewDirectory();
        var restored = NewDirectory();
        var backup = Path.Combine(NewDirectory(), "nehr-backup.db");
        var acknowledged = new ConcurrentBag<string>();
        try
        {
            HashSet<string> beforeBackup;
            (int ExitCode, string Output) backedUp;
            await using (var portal = await PortalProcess.StartAsync(live))
            {
                var patient = CrashSafetyTests.PatientJson(portal);
                using var client = new HttpClient { BaseAddress = portal.BaseAddress };
                var token = await CrashSafetyTests.TokenAsync(client);
                using var stop = new CancellationTokenSource();
                var writers = Enumerable.Range(0, 4).Select(w => CrashSafetyTests.WriteUntilKilledAsync(client, token, patient, $"backup-w{w}", acknowledged, stop.Token)).ToList();

                await Task.Delay(1500);
                beforeBackup = [.. acknowledged];
                backedUp = await PortalProcess.RunCommandAsync(live, "backup", backup);
                await Task.Delay(500);

                // A crash: the live database is lost with the process (the restore uses only the backup).
                await portal.KillAsync();
                await stop.CancelAsync();
                await Task.WhenAll(writers);
            }

            output.WriteLine(backedUp.Output);
            Assert.True(backedUp.ExitCode == 0, backedUp.Output);
            Assert.Contains("Audit trail of the backup intact", backedUp.Output, StringComparison.Ordinal);

            // Restore: the backup file becomes the database of a new portal.
            File.Copy(backup, Path.Combine(restored, "nehr.db"));
            var verified = await PortalProcess.RunCommandAsync(restored, "verify-audit");
            Assert.True(verified.ExitCode == 0, verified.Output);
            Assert.Contains("Audit trail intact", verified.Output, StringComparison.Ordinal);

            int restoredBundles;
            await using (var db = Open(Path.Combine(restored, "nehr.db")))
            await using (var liveDb = Open(Path.Combine(live, "nehr.db")))
            {
                var stored = (await db.ClinicalEntries.Where(e => e.SourceIdentifier.StartsWith("urn:crash|backup-")).Select(e => e.SourceIdentifier).ToListAsync())
                    .GroupBy(s => s[..s.LastIndexOf('-')]).ToDictionary(g => g.Key["urn:crash|".Length..], g => g.Count());
                restoredBundles = stored.Count;

                // One snapshot: every bundle acknowledged before the backup began is in it, whole, with its audit event.
                Assert.All(beforeBackup, b => Assert.True(stored.ContainsKey(b), $"{b} was acknowledged before the backup and is missing from it."));
                Assert.All(stored, b => Assert.Equal(CrashSafetyTests.EntriesPerBundle, b.Value));
                Assert.Equal(stored.Count, await db.AuditEvents.CountAsync(e => e.EventType == AuditEventTypes.ContributionAccepted));
                Assert.True(await db.AuditEvents.CountAsync() <= await liveDb.AuditEvents.CountAsync());
                Assert.True(stored.Count <= acknowledged.Count + 4, "the backup holds more than the writers sent");
            }

            await using (var again = await PortalProcess.StartAsync(restored))
            {
                using var client = new HttpClient { BaseAddress = again.BaseAddress };
                Assert.False(string.IsNullOrEmpty(await CrashSafetyTests.TokenAsync(client)));
            }

            // Someone with the file edits an event (after switching the append-only trigger off): verify-audit names it.
            using (var connection = new SqliteConnection($"Data Source={Path.Combine(restored, "nehr.db")};Pooling=False"))
            {
                connection.Open();
                using var tamper = connection.CreateCommand();
                tamper.CommandText = "DROP TRIGGER AuditEvents_NoUpdate; UPDATE AuditEvents SET Details = 'nothing happened' WHERE Sequence = 5;";
                tamper.ExecuteNonQuery();
            }

            var broken = await PortalProcess.RunCommandAsync(restored, "verify-audit");
            Assert.Equal(2, broken.ExitCode);
            Assert.Contains("BROKEN at event 5", broken.Output, StringComparison.Ordinal);
            output.WriteLine($"{acknowledged.Count} bundles acknowledged, {beforeBackup.Count} before the backup, {restoredBundles} in it; {verified.Output.Trim()}");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var directory in new[] { live, restored, Path.GetDirectoryName(backup)! })
            {
                try
                {
                    Directory.Delete(directory, recursive: true);
                }
                catch (IOException)
                {
                    // Left in the temp folder.
                }
            }
        }
    }

    private static NehrDbContext Open(string database) =>
        new(new DbContextOptionsBuilder<NehrDbContext>().UseSqlite($"Data Source={database};Pooling=False").Options);

    private static string NewDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "nehr-backup-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }
}
