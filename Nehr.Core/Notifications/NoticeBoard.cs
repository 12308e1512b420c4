using Microsoft.EntityFrameworkCore;
using Nehr.Core.Audit;
using Nehr.Core.Data;

namespace Nehr.Core.Notifications;

/// <summary>The signed-in patient's own notices.</summary>
public sealed class NoticeBoard(IDbContextFactory<NehrDbContext> dbFactory, AuditTrail audit, TimeProvider clock)
{
    public async Task<int> UnreadCountAsync(AuditContext who, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var patientId = await PatientSelf.RequireAsync(db, audit, who, "read notifications", cancellationToken);
        return await db.PatientNotices.CountAsync(n => n.PatientId == patientId && n.ReadAtUtc == null, cancellationToken);
    }

    public async Task<IReadOnlyList<PatientNotice>> LatestAsync(AuditContext who, int take = 50, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var patientId = await PatientSelf.RequireAsync(db, audit, who, "read notifications", cancellationToken);
        return await db.PatientNotices.AsNoTracking().Where(n => n.PatientId == patientId)
                .OrderByDescending(n => n.CreatedAtUtc).ThenByDescending(n => n.Id).Take(take).ToListAsync(cancellationToken);
    }

    public async Task MarkAllReadAsync(AuditContext who, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var patientId = await PatientSelf.RequireAsync(db, audit, who, "mark notifications read", cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        await db.PatientNotices.Where(n => n.PatientId == patientId && n.ReadAtUtc == null)
            .ExecuteUpdateAsync(n => n.SetProperty(x => x.ReadAtUtc, now), cancellationToken);
    }
}
