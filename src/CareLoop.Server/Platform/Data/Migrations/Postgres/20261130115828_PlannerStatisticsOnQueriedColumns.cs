using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CareLoop.Server.Platform.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PlannerStatisticsOnQueriedColumns : Migration
    {
        /// <summary>
        /// Columns that no query filters, joins, groups or orders by: bodies, payloads, notes, names and counters. ANALYZE
        /// sorts a 30,000-row sample of every column; under steady intake autovacuum analyzes each of these tables about
        /// once a minute, and these columns were about half of that work (the outbox payloads and message bodies most).
        /// </summary>
        private static readonly (string Table, string[] Columns)[] Unqueried =
        [
            ("Tickets", ["Id", "Subject", "Tags", "SlaFired", "CsatComment", "CsatAt", "EventCount", "Version", "UpdatedAt", "OrderLineId", "FollowUpOfId", "MergedIntoId"]),
            ("TicketEvents", ["Id", "Seq", "Actor", "From", "To", "MessageId", "Note"]),
            ("TicketMessages", ["Id", "AuthorId", "AuthorName", "Body", "Attachments"]),
            ("notifications", ["EventId", "Template", "Title", "Body", "Link"]),
            ("outbox_messages", ["EventId", "AggregateKey", "Payload", "Attempts", "LastAttemptAt", "LockedBy", "LastError", "LastStatusCode"]),
        ];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => SetStatistics(migrationBuilder, 0);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => SetStatistics(migrationBuilder, -1);

        private static void SetStatistics(MigrationBuilder migrationBuilder, int target)
        {
            foreach (var (table, columns) in Unqueried)
            {
                var clauses = string.Join(", ", columns.Select(c => $"ALTER COLUMN \"{c}\" SET STATISTICS {target}"));
                migrationBuilder.Sql($"ALTER TABLE \"{table}\" {clauses};");
            }
        }
    }
}
