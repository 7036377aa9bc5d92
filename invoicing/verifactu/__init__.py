"""VERI*FACTU (Real Decreto 1007/2023, Orden HAC/1177/2024): the records of
invoices, their chained huella, their XML and the QR code of the invoice.

Everything here is pure: functions of the record inputs of :mod:`.records`,
no database, no settings (see :mod:`invoicing.conf` for those) and no network.
"""
