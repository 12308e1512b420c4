using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Notifications;

namespace Nehr.Core.Identity;

/// <summary>
/// Password reset by e-mail. A request always has one outcome for the person asking (the same confirmation), whether
/// or not the address belongs to an account; for an account, the reset link goes to its address through the outbox,
/// written with the audit event in one transaction. The link works once (a reset changes the security stamp it is
/// bound to) and for <see cref="LinkLifetime"/>.
/// </summary>
public sealed class PasswordResets(NehrDbContext db, UserManager<ApplicationUser> users, Commands.Commands commands, AnonymousEventGuard anonymous)
{
    public const string Subject = "NEHR Portal: reset your password";

    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(1);

    /// <summary>Sends a reset link to <paramref name="email"/> if it is an account's; records the request either way.</summary>
    /// <param name="resetPage">The absolute address of the reset page; the link is it with the code.</param>
    public async Task RequestAsync(string email, Uri resetPage, AuditContext who, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resetPage);
        ArgumentNullException.ThrowIfNull(who);
        var user = string.IsNullOrWhiteSpace(email) ? null : await users.FindByEmailAsync(email.Trim());
        if (user is null && !anonymous.Admit(AuditEventTypes.PasswordResetRequested, who.ClientAddress))
        {
            return;
        }

        // Patients have no password: they sign in with the national digital identity. Their address is told so.
        if (user is { PatientId: not null })
        {
            await commands.RunAsync(db, who, async command =>
            {
                if (user.Email is { } patientAddress)
                {
                    db.OutboxMessages.Add(new OutboxMessage(patientAddress, Subject,
                        "Someone asked to reset the password of the NEHR Portal account of this address.\n\n"
                        + "Patients have no NEHR Portal password: sign in with Singpass, from the portal's sign-in page. Nothing was changed.",
                        command.Now));
                }

                await AppendAsync(command, user, AuditEventTypes.PasswordResetRequested, AuditOutcome.Denied, "account=patient; no password to reset", cancellationToken);
                return true;
            }, cancellationToken);
            return;
        }

        // The code first: making it may need a new key in the key ring, written outside this transaction.
        var code = user is null ? null : WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(await users.GeneratePasswordResetTokenAsync(user)));
        await commands.RunAsync(db, who, async command =>
        {
            if (user?.Email is { } address && code is not null)
            {
                var link = QueryHelpers.AddQueryString(resetPage.AbsoluteUri, "code", code);
                db.OutboxMessages.Add(new OutboxMessage(address, Subject,
                    $"Someone asked to reset the password of your NEHR Portal account ({address}).\n\n"
                    + $"If it was you, open this link within {LinkLifetime.TotalMinutes:0} minutes and choose a new password. It works once:\n\n{link}\n\n"
                    + "If you did not ask, ignore this message: your password stays as it is. Staff still need their authenticator code to sign in.",
                    command.Now));
            }

            await AppendAsync(command, user, AuditEventTypes.PasswordResetRequested, AuditOutcome.Success, user is null ? "account=none" : "account=known; link sent", cancellationToken);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Sets a new password with a link's code. False, with nothing changed, when the address is not an account's or
    /// the code is not valid for it (altered, expired, used, or sent to another address): one outcome for all of these.
    /// </summary>
    public async Task<ResetOutcome> ResetAsync(string email, string code, string newPassword, AuditContext who, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(who);
        var user = string.IsNullOrWhiteSpace(email) ? null : await users.FindByEmailAsync(email.Trim());
        if (user is null || user.PatientId is not null || !await users.VerifyUserTokenAsync(user, users.Options.Tokens.PasswordResetTokenProvider, UserManager<ApplicationUser>.ResetPasswordTokenPurpose, code))
        {
            if (user is null && !anonymous.Admit(AuditEventTypes.PasswordResetFailed, who.ClientAddress))
            {
                return ResetOutcome.InvalidLink;
            }

            return await commands.RunAsync(db, who, async command =>
            {
                await AppendAsync(command, user, AuditEventTypes.PasswordResetFailed, AuditOutcome.Denied, user is null ? "reason=unknown account" : user.PatientId is not null ? "reason=patient account (no password)" : "reason=invalid or expired link", cancellationToken);
                return ResetOutcome.InvalidLink;
            }, cancellationToken);
        }

        // The new password, the new security stamp (ending every other session and this link) and the audit event in one
        // transaction. A password Identity refuses rolls it back (nothing changed) and is answered with its faults.
        try
        {
            return await commands.RunAsync(db, who, async command =>
            {
                var result = await users.ResetPasswordAsync(user, code, newPassword);
                if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.InvalidToken)))
                {
                    throw new DomainException(new Dictionary<string, string> { [nameof(code)] = "invalid link" });
                }

                if (!result.Succeeded)
                {
                    throw new DomainException(result.Errors.Select((e, i) => (e, i)).ToDictionary(x => $"password.{x.i}", x => x.e.Description));
                }

                await AppendAsync(command, user, AuditEventTypes.PasswordReset, AuditOutcome.Success, "method=e-mailed link", cancellationToken);
                return ResetOutcome.Done;
            }, cancellationToken);
        }
        catch (DomainException e)
        {
            db.Forget();
            return e.Errors.ContainsKey(nameof(code)) ? ResetOutcome.InvalidLink : new ResetOutcome(false, e.Errors.Values.ToList());
        }
    }

    private async Task AppendAsync(Commands.Command command, ApplicationUser? user, string eventType, AuditOutcome outcome, string details, CancellationToken cancellationToken)
    {
        var who = command.Who;
        var providerId = user?.PersonnelId is { } personnelId
            ? await db.Personnel.Where(p => p.Id == personnelId).Select(p => (int?)p.ProviderId).SingleOrDefaultAsync(cancellationToken)
            : null;
        await command.AuditAsync(new AuditEntry
        {
            EventType = eventType,
            CorrelationId = who.CorrelationId,
            ActorUserId = user?.Id,
            ActorPersonnelId = user?.PersonnelId,
            ActorProviderId = providerId,
            ClientAddress = who.ClientAddress,
            Outcome = outcome,
            Details = details,
        }, cancellationToken);
    }
}

/// <summary>What a reset came to: done, an invalid link (one answer for every reason), or the new password's faults.</summary>
public sealed record ResetOutcome(bool Succeeded, IReadOnlyList<string> PasswordErrors)
{
    public static readonly ResetOutcome Done = new(true, []);

    public static readonly ResetOutcome InvalidLink = new(false, []);

    public bool IsInvalidLink => !Succeeded && PasswordErrors.Count == 0;
}
