using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CareLoop.Server.Platform.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class OutboxAggregateIndexFilter : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_outbox_messages_undelivered_aggregate",
                table: "outbox_messages");

            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_undelivered_aggregate",
                table: "outbox_messages",
                columns: new[] { "Target", "AggregateKey", "Id" },
                filter: "\"Status\" <> 'Sent' AND \"Status\" <> 'Dead'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_outbox_messages_undelivered_aggregate",
                table: "outbox_messages");

            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_undelivered_aggregate",
                table: "outbox_messages",
                columns: new[] { "Target", "AggregateKey", "Id" },
                filter: "\"Status\" IN ('Pending', 'Retrying')");
        }
    }
}
