using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Data.Demo;
using Nehr.BulkData;
using Nehr.Core.Oversight;

namespace Nehr.Integration.Tests;

/// <summary>The bulk loader behind the national-scale benchmark writes what the portal itself would, and a chain that verifies.</summary>
public sealed class BulkDataTests : IDisposable
{
    private readonly PortalFactory _portal = new();

    [Fact]
    public async Task A_bulk_load_gives_readable_records_a_verified_chain_and_searches_that_cap_their_count()
    {
        var world = await DemoWorld.LoadAsync(_portal);
        long before;
        await using (var db = _portal.CreateDbContext())
        {
            before = await db.AuditEvents.CountAsync();
        }

        BulkDataLoader loader;
        await using (var db = _portal.CreateDbContext())
        {
            loader = new BulkDataLoader(db, TimeProvider.System);
            var report = await loader.LoadAsync(patients: 30, entriesPerPatient: 4, auditEvents: AuditSearch.CountLimit + 50);
            Assert.Equal((30, 120L), (report.Patients, report.Entries));
        }

        await using (var db = _portal.CreateDbContext())
        {
            var verification = await AuditTrail.VerifyAsync(db);
            Assert.True(verification.Intact, verification.Problem);
            Assert.Equal(before + AuditSearch.CountLimit + 50, await db.AuditEvents.CountAsync());
            var indexes = await db.Database.SqlQueryRaw<string>(PortalFactory.OnPostgreSql
                ? "SELECT indexname AS \"Value\" FROM pg_indexes WHERE tablename = 'AuditEvents'"
                : "SELECT name AS Value FROM sqlite_master WHERE type = 'index' AND tbl_name = 'AuditEvents'").ToListAsync();
            Assert.Contains("IX_AuditEvents_PatientHistory", indexes);
        }

        // A bulk patient's record opens for a clinician of the provider they are registered with.
        int patientId, providerId;
        await using (var db = _portal.CreateDbContext())
        {
            var last = await db.CareRegistrations.OrderByDescending(r => r.PatientId).Select(r => new { r.PatientId, r.ProviderId }).FirstAsync();
            (patientId, providerId) = (last.PatientId, last.ProviderId);
        }

        var clinician = loader.Staff[providerId][0].UserId;
        var view = await _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(new RecordRequest(DemoWorld.As(clinician), patientId, PurposeOfUse.Treatment)));
        Assert.Equal(AccessLevel.Full, view.Decision.Level);
        Assert.Equal(4, view.Entries.Values.Sum(p => p.Total));

        // Searching everything: the count stops at the limit and says so; the newest event comes first.
        var page = await _portal.WithAsync<AuditSearch, AuditPage>(s => s.SearchAsync(DemoWorld.As(world.AuditorUserId), new AuditQuery(), 1));
        Assert.Equal((AuditSearch.CountLimit, true), (page.Total, page.MoreThanTotal));
        await using (var db = _portal.CreateDbContext())
        {
            var newest = await db.AuditEvents.Where(e => e.EventType != AuditEventTypes.AuditSearched).MaxAsync(e => e.Sequence);
            Assert.Equal(newest, page.Rows.First(r => r.EventType != AuditEventTypes.AuditSearched).Sequence);
        }
    }

    public void Dispose() => _portal.Dispose();
}
