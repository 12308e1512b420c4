using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Data.Demo;
using Nehr.Core.Notifications;
using Nehr.Core.Oversight;

namespace Nehr.Integration.Tests;

/// <summary>
/// Two portal instances of one deployment on one database, as behind a load balancer: each has its own services,
/// caches and clock, and they share only the database (on PostgreSQL in the second pass of test.sh).
/// </summary>
public sealed class MultiInstanceTests : IAsyncLifetime
{
    private const string Justification = DemoWorld.OverrideJustification;

    private readonly PortalFactory _a = new();
    private readonly PortalFactory _b = new();
    private readonly string _outboxes = Path.Combine(Path.GetTempPath(), "nehr-outbox", Guid.NewGuid().ToString("N"));
    private DemoWorld _world = null!;

    public async Task InitializeAsync()
    {
        foreach (var (instance, name) in new[] { (_a, "a"), (_b, "b") })
        {
            instance.Settings["Nehr:Email:PickupDirectory"] = Path.Combine(_outboxes, name);
            instance.Settings["Nehr:Email:PollSeconds"] = "3600"; // the test sends; the background loops stay out of the way
        }

        _world = await DemoWorld.LoadAsync(_a);
        _b.ShareDatabaseWith(_a);
        _ = _b.Server;
    }

    public Task DisposeAsync()
    {
        _b.Dispose();
        _a.Dispose();
        if (Directory.Exists(_outboxes))
        {
            Directory.Delete(_outboxes, recursive: true);
        }

        return Task.CompletedTask;
    }

    private static Task<RecordView> OpenAsync(PortalFactory instance, string userId, int patientId) =>
        instance.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(new RecordRequest(DemoWorld.As(userId), patientId, PurposeOfUse.Treatment)));

    [Fact]
    public async Task A_restriction_changed_through_one_instance_is_enforced_on_the_next_read_through_the_other()
    {
        // B has read the record (and so has whatever it keeps of it) before the change.
        Assert.Equal(AccessLevel.Full, (await OpenAsync(_b, _world.DoctorUserId, _world.OpenPatientId)).Decision.Level);

        await _a.WithAsync<RestrictionService, RestrictionChange?>(s =>
            s.ChangeOwnAsync(DemoWorld.As(_world.PatientUserId), RestrictionMode.RestrictAll, [], expectedVersion: 0));

        var next = await OpenAsync(_b, _world.DoctorUserId, _world.OpenPatientId);
        Assert.Equal(AccessLevel.BasicSetOnly, next.Decision.Level);

        // And back, the other way round.
        await _b.WithAsync<RestrictionService, RestrictionChange?>(s =>
            s.ChangeOwnAsync(DemoWorld.As(_world.PatientUserId), RestrictionMode.None, [], expectedVersion: 1));
        Assert.Equal(AccessLevel.Full, (await OpenAsync(_a, _world.DoctorUserId, _world.OpenPatientId)).Decision.Level);
    }

    [Fact]
    public async Task An_override_granted_on_one_instance_is_in_the_auditors_queue_and_export_on_the_other()
    {
        var granted = await _a.WithAsync<EmergencyOverrideService, EmergencyOverride>(s => s.GrantAsync(new OverrideRequest(
            DemoWorld.As(_world.DoctorUserId), _world.RestrictedPatientId, OverrideReason.UnconsciousPatient, Justification, true)));

        var queue = await _b.WithAsync<ReviewQueue, IReadOnlyList<OverrideQueueItem>>(q => q.OverridesAsync(DemoWorld.As(_world.AuditorUserId), pending: true));
        Assert.Equal(granted.Id, Assert.Single(queue).Id);

        // Over HTTP too: the auditor signs in on B and exports the overrides.
        using var auditor = await _b.SignedInClientAsync(DemoAccounts.Auditor);
        using var export = await auditor.GetAsync($"/admin/moh/audit.csv?type={AuditEventTypes.OverrideGranted}");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var rows = (await export.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Contains(Justification, Assert.Single(rows), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_system_token_issued_by_one_instance_is_accepted_by_the_other()
    {
        using var onA = _a.NewClient();
        using var onB = _b.NewClient();
        var token = await ContributionApiTests.TokenAsync(onA);
        var person = await FhirPerson.LoadAsync(_a, _world.OpenPatientId);

        var (status, body) = await ContributionApiTests.PostAsync(onB, token, FhirBundles.Json(FhirBundles.Transaction(person, FhirBundles.Lab("across-instances"))));

        Assert.True(status == HttpStatusCode.OK, body);
    }

    [Fact]
    public async Task Under_concurrent_load_on_both_instances_the_audit_chain_is_one_gapless_chain_that_verifies()
    {
        long before;
        await using (var db = _a.CreateDbContext())
        {
            before = await db.AuditEvents.LongCountAsync();
        }

        // On each instance: clinicians opening records, and a provider system contributing over HTTP.
        const int Readers = 3, Reads = 20, Bundles = 10;
        var patients = new[] { _world.OpenPatientId, _world.RestrictedPatientId, _world.SelectivePatientId };
        var people = await PeopleAsync(patients);
        var load = new List<Task>();
        foreach (var (instance, name) in new[] { (_a, "a"), (_b, "b") })
        {
            for (var r = 0; r < Readers; r++)
            {
                var reader = r;
                load.Add(Task.Run(async () =>
                {
                    for (var i = 0; i < Reads; i++)
                    {
                        await OpenAsync(instance, reader % 2 == 0 ? _world.DoctorUserId : _world.NurseUserId, patients[(reader + i) % patients.Length]);
                    }
                }));
            }

            load.Add(Task.Run(async () =>
            {
                using var client = instance.NewClient();
                var token = await ContributionApiTests.TokenAsync(client);
                for (var i = 0; i < Bundles; i++)
                {
                    var (status, body) = await ContributionApiTests.PostAsync(client, token,
                        FhirBundles.Json(FhirBundles.Transaction(people[i % people.Count], FhirBundles.Lab($"load-{name}-{i}"))));
                    Assert.True(status == HttpStatusCode.OK, body);
                }
            }));
        }

        await Task.WhenAll(load);

        await using var check = _b.CreateDbContext();
        var sequences = await check.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).Select(e => e.Sequence).ToListAsync();
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
        Assert.True(sequences.Count >= before + (2 * Readers * Reads) + (2 * Bundles), $"{sequences.Count - before} events appended");
        var verification = await AuditTrail.VerifyAsync(check);
        Assert.True(verification.Intact, verification.Problem);
    }

    [Fact]
    public async Task Both_instances_send_the_outbox_and_each_message_goes_out_once()
    {
        const int Messages = 3 * OutboxDispatcher.BatchSize;
        await using (var db = _a.CreateDbContext())
        {
            var now = _a.Clock.GetUtcNow().UtcDateTime;
            db.OutboxMessages.AddRange(Enumerable.Range(0, Messages).Select(i => new OutboxMessage($"p{i}@nehr.demo", $"Notice {i}", "Body", now)));
            await db.SaveChangesAsync();
        }

        // Both senders at once, round after round, until neither finds anything left.
        var sent = 0;
        while (true)
        {
            var round = await Task.WhenAll(new[] { _a, _b }.Select(i => Task.Run(() => i.Services.GetRequiredService<OutboxDispatcher>().DispatchOnceAsync())));
            if (round.Sum() == 0)
            {
                break;
            }

            sent += round.Sum();
        }

        var files = Directory.GetFiles(_outboxes, "*.eml", SearchOption.AllDirectories);
        Assert.Equal(Messages, sent);
        Assert.Equal(Messages, files.Length);
        var recipients = files.Select(f => File.ReadLines(f).First(l => l.StartsWith("To: ", StringComparison.Ordinal))).ToList();
        Assert.Equal(Messages, recipients.Distinct().Count());
        await using var check = _b.CreateDbContext();
        Assert.Equal(0, await check.OutboxMessages.CountAsync(m => m.SentAtUtc == null));
        Assert.All(await check.OutboxMessages.Select(m => m.Attempts).ToListAsync(), a => Assert.Equal(1, a));
    }

    private async Task<List<FhirPerson>> PeopleAsync(int[] patients)
    {
        await using var db = _a.CreateDbContext();
        return (await db.Patients.Where(p => patients.Contains(p.Id)).ToListAsync()).Select(FhirPerson.Of).ToList();
    }
}
