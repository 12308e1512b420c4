using System.Text;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Audit;
using Nehr.Core.Contribution;
using Nehr.Core.Data.Demo;
using Nehr.Core.Records;

namespace Nehr.Integration.Tests;

/// <summary>A population-register load whose system is suspended part-way: what was applied stays, and is logged.</summary>
public sealed class RegisterLoadSuspensionTests : IDisposable
{
    private readonly PortalFactory _portal = new();

    public void Dispose() => _portal.Dispose();

    [Fact]
    public async Task A_load_cut_by_a_suspension_keeps_and_logs_what_was_applied_and_answers_401()
    {
        var world = await DemoWorld.LoadAsync(_portal);
        int systemId;
        await using (var db = _portal.CreateDbContext())
        {
            systemId = await db.SystemConnections.Where(s => s.ClientId == DemoAccounts.RegisterClientId).Select(s => s.Id).SingleAsync();
        }

        var people = Enumerable.Range(0, ContributionService.RegisterLoadChunk + 200)
            .Select(i => new FhirPerson(Fixture.NewNric('S'), $"Load Person {i}", new DateOnly(1970 + i % 40, 3, 9), Sex.Male))
            .ToList();
        var lines = people.Select(p => FhirBundles.Json(p.ToFhir()) + "\n").ToList();
        // Suspended once the reader asks for line 520 or later: after the first chunk of 500 was applied.
        var cut = Encoding.UTF8.GetByteCount(string.Concat(lines.Take(ContributionService.RegisterLoadChunk + 20)));
        await using var body = new CallbackStream(Encoding.UTF8.GetBytes(string.Concat(lines)), cut, () =>
            _portal.WithAsync<SystemOnboarding, bool>(async o => { await o.SuspendAsync(DemoWorld.As(world.MohAdminUserId), systemId); return true; }));
        var caller = new SystemCaller(systemId, "127.0.0.1", "load-cut", SystemKind.PopulationRegister);

        var result = await _portal.WithAsync<ContributionService, RegisterLoadResult>(c => c.LoadPopulationRegisterAsync(caller, body));

        Assert.True(body.Called);
        Assert.Equal((ContributionStatus.Unauthorised, 401, ContributionService.RegisterLoadChunk), (result.Status, result.Status.HttpStatus(), result.Applied));
        Assert.Contains(result.Problems, p => p.Message.Contains("suspended or revoked", StringComparison.Ordinal)
            && p.Location == $"line {ContributionService.RegisterLoadChunk + 1}");
        await using var check = _portal.CreateDbContext();
        var log = await check.ContributionBatches.OrderByDescending(b => b.Id).FirstAsync();
        Assert.Equal((ContributionOutcome.PartlyAccepted, ContributionService.RegisterLoadChunk), (log.Outcome, log.ResourceCount));
        Assert.True(await check.AuditEvents.AnyAsync(e => e.CorrelationId == "load-cut" && e.EventType == AuditEventTypes.ContributionRefused && e.Outcome == AuditOutcome.Denied));
        Assert.True(await check.Patients.AnyAsync(p => p.Name == "Load Person 0"));
        Assert.False(await check.Patients.AnyAsync(p => p.Name == $"Load Person {ContributionService.RegisterLoadChunk}"));
    }

    /// <summary>A body that runs <paramref name="callback"/> once the reader asks for bytes past <paramref name="at"/>.</summary>
    private sealed class CallbackStream(byte[] bytes, int at, Func<Task> callback) : MemoryStream(bytes)
    {
        public bool Called { get; private set; }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!Called && Position + buffer.Length > at)
            {
                Called = true;
                await callback();
            }

            return await base.ReadAsync(buffer, cancellationToken);
        }
    }
}
