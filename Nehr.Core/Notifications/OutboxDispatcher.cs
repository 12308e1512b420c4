using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nehr.Core.Data;

namespace Nehr.Core.Notifications;

/// <summary>Sends what is waiting in the outbox, oldest first, and marks each message sent (or its failure).</summary>
public sealed class OutboxDispatcher(
    IDbContextFactory<NehrDbContext> dbFactory, IEmailTransport transport, IOptions<EmailOptions> options,
    TimeProvider clock, ILogger<OutboxDispatcher> logger) : BackgroundService
{
    public const int BatchSize = 50;

    /// <summary>Sends one batch; returns how many were sent.</summary>
    public async Task<int> DispatchOnceAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var pending = await db.OutboxMessages
            .Where(m => m.SentAtUtc == null && m.Attempts < options.Value.MaxAttempts)
            .OrderBy(m => m.Id).Take(BatchSize)
            .ToListAsync(cancellationToken);
        var sent = 0;
        foreach (var message in pending)
        {
            try
            {
                await transport.SendAsync(message, cancellationToken);
                message.MarkSent(clock.GetUtcNow().UtcDateTime);
                sent++;
            }
            catch (Exception e) when (e is IOException or System.Net.Mail.SmtpException or InvalidOperationException or UnauthorizedAccessException)
            {
                logger.LogWarning(e, "Outbox message {Id} could not be sent (attempt {Attempt}).", message.Id, message.Attempts + 1);
                message.MarkFailed(e.Message);
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        return sent;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, options.Value.PollSeconds)), clock);
        do
        {
            try
            {
                await DispatchOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is DbUpdateException or Microsoft.Data.Sqlite.SqliteException)
            {
                logger.LogError(e, "The outbox could not be read; trying again later.");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

public static class NotificationServiceCollectionExtensions
{
    /// <summary>The notice board and the e-mail outbox (folder by default, SMTP when a host is configured).</summary>
    public static IServiceCollection AddNehrNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(EmailOptions.Section);
        services.Configure<EmailOptions>(section);
        if (string.IsNullOrWhiteSpace(section[nameof(EmailOptions.SmtpHost)]))
        {
            services.AddSingleton<IEmailTransport, FolderEmailTransport>();
        }
        else
        {
            services.AddSingleton<IEmailTransport, SmtpEmailTransport>();
        }

        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        return services;
    }
}
