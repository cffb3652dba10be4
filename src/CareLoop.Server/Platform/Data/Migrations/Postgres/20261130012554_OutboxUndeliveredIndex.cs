using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CareLoop.Server.Platform.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class OutboxUndeliveredIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_undelivered",
                table: "outbox_messages",
                column: "Id",
                filter: "\"Status\" IN ('Pending', 'Retrying')");

            // A queue table: rows turn from undelivered to sent all the time. Vacuum and analyze it after 1 % of its
            // rows changed (not the default 20 % / 10 %), so the undelivered index stays short and the planner keeps
            // seeing how many messages wait.
            migrationBuilder.Sql("ALTER TABLE outbox_messages SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.01);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE outbox_messages RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor);");

            migrationBuilder.DropIndex(
                name: "IX_outbox_messages_undelivered",
                table: "outbox_messages");
        }
    }
}
