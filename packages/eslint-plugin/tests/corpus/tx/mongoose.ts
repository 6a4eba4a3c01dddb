// Shape: mongoose `session.withTransaction(async () => …)` and `session.startTransaction()` …
// `commitTransaction()` / `abortTransaction()` / `endSession()`, sending mail with @sendgrid/mail.
// Modelled on mongoose's transactions guide and MERN booking services.
import sgMail from '@sendgrid/mail';
import mongoose from 'mongoose';

interface Booking {
  roomId: string;
  email: string;
}

const bookings = mongoose.model<Booking>('Booking');

export async function bookRoom(booking: Booking): Promise<void> {
  const session = await mongoose.startSession();
  try {
    await session.withTransaction(async () => {
      await bookings.create([booking], { session });
      await sgMail.send({ to: booking.email, from: 'hotel@example.com', subject: 'Booked', text: booking.roomId }); // expect: safecall/no-external-call-in-transaction
    });
  } finally {
    await session.endSession();
  }
}

export async function cancelRoom(booking: Booking): Promise<void> {
  const session = await mongoose.startSession();
  session.startTransaction();
  try {
    await bookings.updateOne({ roomId: booking.roomId }, { cancelled: true }, { session });
    await sgMail.send({ to: booking.email, from: 'hotel@example.com', subject: 'Cancelling', text: booking.roomId }); // expect: safecall/no-external-call-in-transaction
    await session.commitTransaction();
  } catch (error) {
    await session.abortTransaction();
    throw error;
  } finally {
    await session.endSession();
  }
  await sgMail.send({ to: booking.email, from: 'hotel@example.com', subject: 'Cancelled', text: booking.roomId });
}
