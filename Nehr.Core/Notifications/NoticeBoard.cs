using Microsoft.EntityFrameworkCore;
using Nehr.Core.Audit;
using Nehr.Core.Data;

namespace Nehr.Core.Notifications;

/// <summary>The signed-in patient's own notices.</summary>
public sealed class NoticeBoard(Commands.Commands commands)
{
    public Task<int> UnreadCountAsync(AuditContext who, CancellationToken cancellationToken = default) =>
        commands.ReadAsPatientAsync(who, "read notifications", null, command =>
            command.Db.PatientNotices.CountAsync(n => n.PatientId == command.PatientId && n.ReadAtUtc == null, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<PatientNotice>> LatestAsync(AuditContext who, int take = 50, CancellationToken cancellationToken = default) =>
        commands.ReadAsPatientAsync<IReadOnlyList<PatientNotice>>(who, "read notifications", null, async command =>
            await command.Db.PatientNotices.AsNoTracking().Where(n => n.PatientId == command.PatientId)
                .OrderByDescending(n => n.CreatedAtUtc).ThenByDescending(n => n.Id).Take(take).ToListAsync(cancellationToken), cancellationToken);

    /// <summary>Marks the patient's notices read (not audited: it changes only what the patient has seen of their own notices).</summary>
    public Task MarkAllReadAsync(AuditContext who, CancellationToken cancellationToken = default) =>
        commands.RunAsPatientAsync(who, "mark notifications read", null, command =>
            command.Db.PatientNotices.Where(n => n.PatientId == command.PatientId && n.ReadAtUtc == null)
                .ExecuteUpdateAsync(n => n.SetProperty(x => x.ReadAtUtc, command.Now), cancellationToken), cancellationToken);
}
