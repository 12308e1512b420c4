using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nehr.Core.Data;

namespace Nehr.Core.Notifications;

/// <summary>Sends what is waiting in the outbox (e-mails and SMS), oldest first, and marks each message sent (or its failure).</summary>
public sealed class OutboxDispatcher(
    IDbContextFactory<NehrDbContext> dbFactory, IEmailTransport transport, ISmsTransport sms, IOptions<EmailOptions> options,
    TimeProvider clock, ILogger<OutboxDispatcher> logger) : BackgroundService
{
    public const int BatchSize = 50;

    /// <summary>How long a sender keeps the messages it took; past it, another sender may take them again.</summary>
    public static readonly TimeSpan ClaimFor = TimeSpan.FromMinutes(5);

    /// <summary>What claiming a batch of messages claims (<see cref="DataClaim"/>).</summary>
    internal static readonly DataClaim OutboxClaim = DataClaim.Named("outbox");

    /// <summary>Sends one batch; returns how many were sent.</summary>
    public async Task<int> DispatchOnceAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);

        // The batch is claimed in a short write transaction, under the outbox's claim (one claimer at a time, across
        // instances), so two portal instances never send the same message; the sending itself happens outside it.
        var now = clock.GetUtcNow().UtcDateTime;
        var waiting = db.OutboxMessages
            .Where(m => m.SentAtUtc == null && m.Attempts < options.Value.MaxAttempts && (m.ClaimedUntilUtc == null || m.ClaimedUntilUtc < now));
        if (!await waiting.AnyAsync(cancellationToken))
        {
            return 0;
        }

        List<OutboxMessage> pending;
        await using (var transaction = await db.BeginWriteTransactionAsync(cancellationToken))
        {
            await db.ClaimAsync(OutboxClaim, cancellationToken);
            pending = await waiting.OrderBy(m => m.Id).Take(BatchSize).ToListAsync(cancellationToken);
            foreach (var message in pending)
            {
                message.Claim(now + ClaimFor);
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        var sent = 0;
        foreach (var message in pending)
        {
            try
            {
                await (message.Channel == OutboxChannel.Sms ? sms.SendAsync(message, cancellationToken) : transport.SendAsync(message, cancellationToken));
                message.MarkSent(clock.GetUtcNow().UtcDateTime);
                sent++;
            }
            catch (Exception e) when (SmtpEmailTransport.IsDeliveryFailure(e))
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
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Whatever failed (the database, a transport's unforeseen error), the loop goes on: an exception out
                // of a background service would stop the whole portal.
                logger.LogError(e, "The outbox could not be read or a message could not be handled; trying again later.");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

public static class NotificationServiceCollectionExtensions
{
    /// <summary>
    /// The notice board and the outbox: e-mail (folder by default, SMTP when a host is configured) and SMS (folder: the
    /// development transport), and the patient's choice of channels.
    /// </summary>
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

        services.Configure<SmsOptions>(configuration.GetSection(SmsOptions.Section));
        services.AddSingleton<ISmsTransport, FolderSmsTransport>();
        services.AddScoped<NoticeChannels>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        return services;
    }
}
