using Microsoft.EntityFrameworkCore;
using Nehr.Core.Audit;

namespace Nehr.Core.Notifications;

/// <summary>
/// How a patient gets their notices: always in the portal; by e-mail (to their account's address) unless they turn it
/// off; by SMS when they turn it on with a mobile number.
/// </summary>
public sealed record NoticeChannelSettings(string? Email, bool ByEmail, string? MobileNumber, bool BySms);

/// <summary>The signed-in patient's own choice of channels for their notices (never a representative's: it is the person's own).</summary>
public sealed class NoticeChannels(Commands.Commands commands)
{
    public const string PhoneField = "phone";

    public static readonly PatientMessage NoEmail =
        new PatientMessage("Your account has no e-mail address, so notices cannot be sent by e-mail.");

    public static readonly PatientMessage NothingChanged = new PatientMessage("Nothing has changed: this is already your setting.");

    public Task<NoticeChannelSettings> GetOwnAsync(AuditContext who, CancellationToken cancellationToken = default) =>
        commands.ReadAsPatientAsync(who, "notices.channels", null, async command =>
        {
            var user = await command.Db.Users.AsNoTracking().Where(u => u.Id == who.UserId)
                .Select(u => new NoticeChannelSettings(u.Email, u.Email != null && !u.EmailNoticesOff, u.PhoneNumber, u.SmsNotices))
                .SingleAsync(cancellationToken);
            return user;
        }, cancellationToken);

    /// <summary>
    /// Saves the patient's choice. A number given is checked (a mobile number, kept in E.164; Singapore's when it has
    /// no country code); SMS needs one. Bad input changes nothing; a change is audited.
    /// </summary>
    public async Task<NoticeChannelSettings> SaveOwnAsync(
        AuditContext who, bool byEmail, bool bySms, string? mobileNumber, CancellationToken cancellationToken = default)
    {
        string? number = null;
        if (!string.IsNullOrWhiteSpace(mobileNumber) || bySms)
        {
            number = MobileNumbers.TryParseMobile(mobileNumber, out var e164, out var error)
                ? e164
                : throw new DomainException(PhoneField, error!);
        }

        return await commands.RunAsPatientAsync(who, "notices.channels-change", null, async command =>
        {
            var user = await command.Db.Users.SingleAsync(u => u.Id == who.UserId, cancellationToken);
            if (byEmail && user.Email is null)
            {
                throw new DomainException(NoEmail);
            }

            var before = new NoticeChannelSettings(user.Email, user.Email != null && !user.EmailNoticesOff, user.PhoneNumber, user.SmsNotices);
            if (before.ByEmail == byEmail && before.BySms == bySms && before.MobileNumber == number)
            {
                throw new DomainException(NothingChanged);
            }

            user.EmailNoticesOff = !byEmail;
            user.SmsNotices = bySms;
            if (user.PhoneNumber != number)
            {
                user.PhoneNumber = number;
                user.PhoneNumberConfirmed = false;
            }

            await command.AuditAsync(AuditEventTypes.NoticeChannelsChanged, FormattableString.Invariant(
                $"email={(byEmail ? "on" : "off")}; sms={(bySms ? "on" : "off")}; phone={(number is null ? "none" : MobileNumbers.Masked(number))}"));
            return new NoticeChannelSettings(user.Email, byEmail, number, bySms);
        }, cancellationToken);
    }
}
