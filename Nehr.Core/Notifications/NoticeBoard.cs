using Microsoft.EntityFrameworkCore;
using Nehr.Core.Audit;
using Nehr.Core.Data;

namespace Nehr.Core.Notifications;

/// <summary>The signed-in patient's own notices.</summary>
public sealed class NoticeBoard(IDbContextFactory<NehrDbContext> dbFactory, TimeProvider clock)
{
    public async Task<int> UnreadCountAsync(string? userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var patientId = await AccessHistory.OwnPatientIdAsync(db, userId, cancellationToken);
        return patientId is null ? 0 : await db.PatientNotices.CountAsync(n => n.PatientId == patientId && n.ReadAtUtc == null, cancellationToken);
    }

    public async Task<IReadOnlyList<PatientNotice>> LatestAsync(string? userId, int take = 50, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var patientId = await AccessHistory.OwnPatientIdAsync(db, userId, cancellationToken);
        return patientId is null
            ? []
            : await db.PatientNotices.AsNoTracking().Where(n => n.PatientId == patientId)
                .OrderByDescending(n => n.CreatedAtUtc).ThenByDescending(n => n.Id).Take(take).ToListAsync(cancellationToken);
    }

    public async Task MarkAllReadAsync(string? userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var patientId = await AccessHistory.OwnPatientIdAsync(db, userId, cancellationToken);
        if (patientId is null)
        {
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await db.PatientNotices.Where(n => n.PatientId == patientId && n.ReadAtUtc == null)
            .ExecuteUpdateAsync(n => n.SetProperty(x => x.ReadAtUtc, now), cancellationToken);
    }
}
